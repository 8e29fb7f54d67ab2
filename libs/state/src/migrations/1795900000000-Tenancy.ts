import { DEFAULT_TIERS } from '@niyanta/models';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenancy: tier definitions (seeded with the defaults), the shared rate-limit buckets (UNLOGGED:
 * hot, and worthless after a crash) and an index for the admin audit query by actor.
 */
export class Tenancy1795900000000 implements MigrationInterface {
  name = 'Tenancy1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tiers" ("name" text NOT NULL, "requests_per_second" double precision NOT NULL, "burst" integer NOT NULL, "max_running" integer NOT NULL, "scheduling_weight" integer NOT NULL, "max_priority" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_tiers" PRIMARY KEY ("name"))`,
    );
    for (const tier of Object.values(DEFAULT_TIERS)) {
      await queryRunner.query(
        `INSERT INTO "tiers" ("name", "requests_per_second", "burst", "max_running", "scheduling_weight", "max_priority")
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("name") DO NOTHING`,
        [tier.name, tier.requestsPerSecond, tier.burst, tier.maxRunning, tier.schedulingWeight, tier.maxPriority],
      );
    }
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "rate_limit_buckets" ("key" text NOT NULL, "tat_ms" double precision NOT NULL, "allowed" boolean NOT NULL DEFAULT true, CONSTRAINT "pk_rate_limit_buckets" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_events_actor" ON "audit_events" ("actor_type", "actor_id", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_audit_events_actor"`);
    await queryRunner.query(`DROP TABLE "rate_limit_buckets"`);
    await queryRunner.query(`DROP TABLE "tiers"`);
  }
}
