import type { JsonObject } from '@niyanta/models';
import type { EntityManager } from 'typeorm';

/** A type's input schema as a registering worker declares it (`undefined`: the worker says nothing). */
export interface InputSchemaRegistration {
  workloadType: string;
  inputSchema?: JsonObject | null;
}

/**
 * Stores the input schemas the registering worker declares (null clears one), in the caller's
 * transaction, after the types' rows exist. Rows already holding the same schema are not touched.
 * Returns the types whose schema changed.
 */
export async function storeInputSchemas(manager: EntityManager, types: readonly InputSchemaRegistration[]): Promise<string[]> {
  const declared = types.filter((t) => t.inputSchema !== undefined);
  if (declared.length === 0) return [];
  const rows: Array<{ workload_type: string }> = await manager.query(
    `UPDATE workload_configs c
        SET input_schema = t.input_schema, updated_at = now()
       FROM unnest($1::text[], $2::jsonb[]) AS t(workload_type, input_schema)
      WHERE c.workload_type = t.workload_type AND c.input_schema IS DISTINCT FROM t.input_schema
     RETURNING c.workload_type`,
    [declared.map((t) => t.workloadType), declared.map((t) => (t.inputSchema === null ? null : JSON.stringify(t.inputSchema)))],
  );
  return rows.map((row) => row.workload_type);
}
