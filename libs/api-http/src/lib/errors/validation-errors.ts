import { DomainError, ErrorCode, type ErrorDetail } from '@niyanta/models';
import type { ValidationError } from 'class-validator';

/**
 * Flattens class-validator's error tree into one detail per failed constraint, with dotted paths
 * (`affinity.required`, `items.3.workload_type`). Array elements appear as their index.
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      details.push({ path, message: withoutLeadingProperty(message, error.property) });
    }
    if (error.children && error.children.length > 0) {
      details.push(...flattenValidationErrors(error.children, path));
    }
  }
  return details;
}

/**
 * class-validator messages start with the property name ("priority must not be greater than 1000");
 * the path already says which field, so the message keeps only the rule.
 */
function withoutLeadingProperty(message: string, property: string): string {
  if (message.startsWith(`property ${property} `)) return message.slice('property '.length + property.length + 1);
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  return message;
}

/** The `exceptionFactory` of the global ValidationPipe: a 400 `validation_failed` with field paths. */
export function validationFailed(errors: readonly ValidationError[]): DomainError {
  const details = flattenValidationErrors(errors);
  const fields = [...new Set(details.map((detail) => detail.path))];
  const message =
    fields.length === 0 ? 'the request is invalid' : `the request is invalid: ${fields.slice(0, 5).join(', ')}${fields.length > 5 ? ', ...' : ''}`;
  return new DomainError(ErrorCode.ValidationFailed, message, details);
}
