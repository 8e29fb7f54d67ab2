import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `workloads.trace_context`: the W3C `traceparent` of the submission's span when tracing is on,
 * written by the submission's own INSERT, so the leader and the worker continue that trace. Null
 * when tracing is off. Adding a nullable column without a default rewrites nothing.
 */
export class WorkloadTraceContext1796800000000 implements MigrationInterface {
  name = 'WorkloadTraceContext1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workloads" ADD COLUMN "trace_context" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workloads" DROP COLUMN "trace_context"`);
  }
}
