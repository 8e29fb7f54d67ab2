import { DomainError, ErrorCode, isWorkloadTypeName, WORKLOAD_TYPE_RULE } from '@niyanta/models';
import { inputJsonSchema } from './input-schema';
import { AnyWorkloadDefinition, WorkloadDefinition, WorkloadDefaults } from './workload-handler';

/** True when `value` has the shape of a {@link WorkloadDefinition} (a `type` string and a `create` function). */
export function isWorkloadDefinition(value: unknown): value is WorkloadDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['type'] === 'string' && typeof v['create'] === 'function';
}

/** The workload types one worker can run. */
export class WorkloadRegistry {
  private readonly definitions = new Map<string, WorkloadDefinition>();

  /**
   * Adds a type. Registering the same definition object twice is a no-op; a different definition
   * under a taken type name, an invalid name, invalid defaults or an input schema that JSON Schema
   * cannot express throw a `validation_failed` error.
   */
  register(definition: AnyWorkloadDefinition): this {
    if (!isWorkloadDefinition(definition)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'a workload definition needs a type string and a create() function');
    }
    if (!isWorkloadTypeName(definition.type)) {
      throw new DomainError(ErrorCode.ValidationFailed, `invalid workload type name "${definition.type}"`, [
        { path: 'type', message: WORKLOAD_TYPE_RULE },
      ]);
    }
    const existing = this.definitions.get(definition.type);
    if (existing === definition) return this;
    if (existing) {
      throw new DomainError(ErrorCode.Conflict, `workload type "${definition.type}" is already registered`);
    }
    const problems = validateDefaults(definition.defaults ?? {});
    if (problems.length > 0) {
      throw new DomainError(ErrorCode.ValidationFailed, `invalid defaults for workload type "${definition.type}"`, problems);
    }
    inputJsonSchema(definition);
    this.definitions.set(definition.type, definition as WorkloadDefinition);
    return this;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  get(type: string): WorkloadDefinition | undefined {
    return this.definitions.get(type);
  }

  /** Like {@link get} but throws an `unknown_workload_type` error when the type is missing. */
  getOrThrow(type: string): WorkloadDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new DomainError(ErrorCode.UnknownWorkloadType, `workload type "${type}" is not registered here`);
    return definition;
  }

  /** Registered type names, sorted. */
  types(): string[] {
    return [...this.definitions.keys()].sort();
  }

  /** Registered definitions, sorted by type. */
  definitionsList(): WorkloadDefinition[] {
    return this.types().map((type) => this.definitions.get(type) as WorkloadDefinition);
  }

  get size(): number {
    return this.definitions.size;
  }
}

function validateDefaults(defaults: WorkloadDefaults): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const check = (field: keyof WorkloadDefaults, ok: (v: number) => boolean, rule: string, nullable: boolean): void => {
    const value = defaults[field];
    if (value === undefined || (nullable && value === null)) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      problems.push({ path: `defaults.${field}`, message: rule });
    }
  };
  check('priority', (v) => Number.isInteger(v) && v >= 0 && v <= 1000, 'an integer from 0 to 1000', false);
  check('maxRetries', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer', false);
  check('timeoutSeconds', (v) => v > 0, 'a positive number or null', true);
  check('checkpointIntervalSeconds', (v) => v > 0, 'a positive number or null', true);
  check('checkpointProgressStep', (v) => v > 0 && v <= 1, 'a fraction in (0, 1] or null', true);
  return problems;
}
