import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analytics rollups (SPEC §9): per-bucket workload counters and latency histograms
 * (`analytics_rollups`), per-hour busy time of workers (`analytics_worker_rollups`), and the audit
 * event id up to which the leader has aggregated (`analytics_watermarks`, seeded at 0 so the first
 * rounds aggregate the audit trail already present).
 */
export class AnalyticsRollups1796400000000 implements MigrationInterface {
  name = 'AnalyticsRollups1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "analytics_rollups" ("resolution" text NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "customer_id" uuid NOT NULL, "workload_type" text NOT NULL, "tier" text NOT NULL, "status" text NOT NULL, "submitted" integer NOT NULL DEFAULT '0', "retried" integer NOT NULL DEFAULT '0', "finished" integer NOT NULL DEFAULT '0', "wait_hist" integer array NOT NULL, "run_hist" integer array NOT NULL, CONSTRAINT "pk_analytics_rollups" PRIMARY KEY ("resolution", "bucket_start", "customer_id", "workload_type", "tier", "status"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_analytics_rollups_customer" ON "analytics_rollups" ("customer_id", "resolution", "bucket_start")`,
    );
    await queryRunner.query(
      `CREATE TABLE "analytics_worker_rollups" ("bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "worker_id" text NOT NULL, "customer_id" uuid NOT NULL, "region" text, "busy_ms" bigint NOT NULL DEFAULT '0', CONSTRAINT "pk_analytics_worker_rollups" PRIMARY KEY ("bucket_start", "worker_id", "customer_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "analytics_watermarks" ("name" text NOT NULL, "last_event_id" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_analytics_watermarks" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(`INSERT INTO "analytics_watermarks" ("name", "last_event_id") VALUES ('rollups', 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "analytics_watermarks"`);
    await queryRunner.query(`DROP TABLE "analytics_worker_rollups"`);
    await queryRunner.query(`DROP INDEX "idx_analytics_rollups_customer"`);
    await queryRunner.query(`DROP TABLE "analytics_rollups"`);
  }
}
