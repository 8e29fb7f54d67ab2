import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cron schedules (`schedules`), the tier limit on how many a customer keeps (`tiers.max_schedules`),
 * and `workloads.schedule_id`: a nullable column without default (a catalogue-only change, nothing
 * rewritten) indexed only where set, so workloads submitted directly pay nothing for it.
 */
export class Schedules1796700000000 implements MigrationInterface {
  name = 'Schedules1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "schedules" (
         "id" uuid NOT NULL,
         "customer_id" uuid NOT NULL,
         "name" text NOT NULL,
         "cron" text NOT NULL,
         "timezone" text NOT NULL,
         "workload" jsonb NOT NULL,
         "overlap" text NOT NULL,
         "paused" boolean NOT NULL DEFAULT false,
         "next_run_at" TIMESTAMP WITH TIME ZONE,
         "last_tick_at" TIMESTAMP WITH TIME ZONE,
         "last_workload_id" uuid,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "pk_schedules" PRIMARY KEY ("id"),
         CONSTRAINT "uq_schedules_customer_name" UNIQUE ("customer_id", "name"),
         CONSTRAINT "chk_schedules_overlap" CHECK ("overlap" IN ('skip', 'allow', 'cancel_previous')),
         CONSTRAINT "fk_schedules_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE
       )`,
    );
    // The leader's scan: due, unpaused schedules by due time.
    await queryRunner.query(`CREATE INDEX "idx_schedules_due" ON "schedules" ("next_run_at") WHERE NOT "paused" AND "next_run_at" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "idx_schedules_customer_created" ON "schedules" ("customer_id", "created_at" DESC, "id" DESC)`);

    await queryRunner.query(`ALTER TABLE "workloads" ADD "schedule_id" uuid`);
    await queryRunner.query(
      `CREATE INDEX "idx_workloads_schedule_created" ON "workloads" ("schedule_id", "created_at" DESC) WHERE "schedule_id" IS NOT NULL`,
    );

    await queryRunner.query(`ALTER TABLE "tiers" ADD "max_schedules" integer NOT NULL DEFAULT 100`);
    await queryRunner.query(
      `UPDATE "tiers" t SET "max_schedules" = d.max_schedules
         FROM (VALUES ('free', 10), ('standard', 100), ('premium', 1000), ('enterprise', 10000)) AS d(name, max_schedules)
        WHERE t.name = d.name`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tiers" DROP COLUMN "max_schedules"`);
    await queryRunner.query(`DROP INDEX "idx_workloads_schedule_created"`);
    await queryRunner.query(`ALTER TABLE "workloads" DROP COLUMN "schedule_id"`);
    await queryRunner.query(`DROP TABLE "schedules"`);
  }
}
