import { ErrorCode } from '@niyanta/models';
import { ValidationError } from 'class-validator';
import { flattenValidationErrors, validationFailed } from './validation-errors';

function error(property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError {
  const e = new ValidationError();
  e.property = property;
  e.constraints = constraints;
  e.children = children;
  return e;
}

describe(flattenValidationErrors.name, () => {
  it('joins nested and array paths with dots and strips the repeated property name', () => {
    const details = flattenValidationErrors([
      error('priority', { max: 'priority must not be greater than 1000' }),
      error('affinity', undefined, [error('required', { isStringMap: 'required must be an object of string values' })]),
      error('items', undefined, [error('3', undefined, [error('workload_type', { isString: 'workload_type must be a string' })])]),
      error('bogus', { whitelistValidation: 'property bogus should not exist' }),
    ]);
    expect(details).toEqual([
      { path: 'priority', message: 'must not be greater than 1000' },
      { path: 'affinity.required', message: 'must be an object of string values' },
      { path: 'items.3.workload_type', message: 'must be a string' },
      { path: 'bogus', message: 'should not exist' },
    ]);
  });

  it('builds a validation_failed domain error naming the fields', () => {
    const failure = validationFailed([error('priority', { max: 'priority must not be greater than 1000' })]);
    expect(failure.code).toBe(ErrorCode.ValidationFailed);
    expect(failure.message).toBe('the request is invalid: priority');
    expect(failure.details).toHaveLength(1);
  });
});
