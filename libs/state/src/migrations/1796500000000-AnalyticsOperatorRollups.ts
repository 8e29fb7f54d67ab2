import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator rollups (SPEC §9): the same counters and latency histograms as `analytics_rollups`
 * without the customer dimension, so an operator's summary across every customer reads one row
 * per bucket, type, tier and status instead of one per customer too. Filled from the rollups
 * already present; the leader's rollup statement keeps both from then on, in one transaction.
 */
export class AnalyticsOperatorRollups1796500000000 implements MigrationInterface {
  name = 'AnalyticsOperatorRollups1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "analytics_operator_rollups" ("resolution" text NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "workload_type" text NOT NULL, "tier" text NOT NULL, "status" text NOT NULL, "submitted" integer NOT NULL DEFAULT '0', "retried" integer NOT NULL DEFAULT '0', "finished" integer NOT NULL DEFAULT '0', "wait_hist" integer array NOT NULL, "run_hist" integer array NOT NULL, CONSTRAINT "pk_analytics_operator_rollups" PRIMARY KEY ("resolution", "bucket_start", "workload_type", "tier", "status"))`,
    );
    // Element-wise sums of the histograms already rolled up per customer (as long as they are).
    const [{ n }] = (await queryRunner.query(
      `SELECT COALESCE(max(array_length(wait_hist, 1)), 0)::int AS n FROM "analytics_rollups"`,
    )) as Array<{ n: number }>;
    if (n === 0) return;
    const summed = (column: string) =>
      `ARRAY[${Array.from({ length: n }, (_, i) => `COALESCE(sum(${column}[${i + 1}]), 0)`).join(', ')}]::integer[]`;
    await queryRunner.query(
      `INSERT INTO "analytics_operator_rollups" ("resolution", "bucket_start", "workload_type", "tier", "status", "submitted", "retried", "finished", "wait_hist", "run_hist")
       SELECT resolution, bucket_start, workload_type, tier, status, sum(submitted), sum(retried), sum(finished), ${summed('wait_hist')}, ${summed('run_hist')}
         FROM "analytics_rollups" GROUP BY 1, 2, 3, 4, 5`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "analytics_operator_rollups"`);
  }
}
