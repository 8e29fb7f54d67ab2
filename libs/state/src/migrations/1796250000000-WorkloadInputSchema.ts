import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The JSON Schema of a workload type's input, as its workers declare it (`defineWorkload({ input })`);
 * null: any JSON object. The API checks submissions against it.
 */
export class WorkloadInputSchema1796250000000 implements MigrationInterface {
  name = 'WorkloadInputSchema1796250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workload_configs" ADD "input_schema" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workload_configs" DROP COLUMN "input_schema"`);
  }
}
