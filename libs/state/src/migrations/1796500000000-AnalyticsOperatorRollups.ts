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
    // Element-wise sums of the histograms already rolled up per customer.
    const summed = (column: string) => `
      SELECT resolution, bucket_start, workload_type, tier, status, array_agg(s ORDER BY i) AS hist
        FROM (SELECT r.resolution, r.bucket_start, r.workload_type, r.tier, r.status, u.i, sum(u.v)::integer AS s
                FROM "analytics_rollups" r CROSS JOIN LATERAL unnest(r.${column}) WITH ORDINALITY AS u(v, i)
               GROUP BY 1, 2, 3, 4, 5, 6) x
       GROUP BY 1, 2, 3, 4, 5`;
    await queryRunner.query(
      `WITH k AS (
         SELECT resolution, bucket_start, workload_type, tier, status, sum(submitted) AS submitted, sum(retried) AS retried, sum(finished) AS finished
           FROM "analytics_rollups" GROUP BY 1, 2, 3, 4, 5
       ), wh AS (${summed('wait_hist')}), rh AS (${summed('run_hist')})
       INSERT INTO "analytics_operator_rollups" ("resolution", "bucket_start", "workload_type", "tier", "status", "submitted", "retried", "finished", "wait_hist", "run_hist")
       SELECT k.resolution, k.bucket_start, k.workload_type, k.tier, k.status, k.submitted, k.retried, k.finished, wh.hist, rh.hist
         FROM k
         JOIN wh USING (resolution, bucket_start, workload_type, tier, status)
         JOIN rh USING (resolution, bucket_start, workload_type, tier, status)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "analytics_operator_rollups"`);
  }
}
