import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: tenants and keys, workload types, workloads, workers, checkpoints, the audit
 * trail and the leader lease. Names are unqualified: the data source sets `search_path` to its schema.
 */
export class InitialSchema1795843810986 implements MigrationInterface {
  name = 'InitialSchema1795843810986';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "customers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "tier" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_customers" PRIMARY KEY ("id"))`,
    );

    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "prefix" text NOT NULL, "key_hash" text NOT NULL, "name" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_api_keys" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_api_keys_customer" ON "api_keys" ("customer_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys" ("prefix")`);

    await queryRunner.query(
      `CREATE TABLE "workload_configs" ("workload_type" text NOT NULL, "default_priority" integer NOT NULL, "max_retries" integer NOT NULL, "timeout_seconds" integer, "checkpoint_interval_seconds" integer, "checkpoint_progress_step" double precision, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_workload_configs" PRIMARY KEY ("workload_type"))`,
    );

    await queryRunner.query(
      `CREATE TABLE "workloads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "workload_type" text NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "priority" integer NOT NULL, "input" jsonb NOT NULL DEFAULT '{}', "output" jsonb, "error" jsonb, "progress" double precision NOT NULL DEFAULT '0', "progress_message" text, "affinity" jsonb NOT NULL DEFAULT '{"anti": {}, "required": {}, "preferred": {}}', "labels" jsonb NOT NULL DEFAULT '{}', "region" text, "max_retries" integer NOT NULL, "attempt" integer NOT NULL DEFAULT '1', "failure_count" integer NOT NULL DEFAULT '0', "worker_id" text, "idempotency_key" text, "pending_reason" text, "last_checkpoint_sequence" integer, "last_checkpoint_size_bytes" integer, "last_checkpoint_at" TIMESTAMP WITH TIME ZONE, "timeout_seconds" integer, "checkpoint_policy" jsonb, "not_before" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "scheduled_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_workloads" PRIMARY KEY ("id"))`,
    );
    // Sort orders below are the reason these are hand-written: TypeORM's index metadata has none.
    await queryRunner.query(
      `CREATE INDEX "idx_workloads_pending" ON "workloads" ("priority" DESC, "created_at") WHERE "status" = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_workloads_customer_created" ON "workloads" ("customer_id", "created_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_workloads_customer_status_created" ON "workloads" ("customer_id", "status", "created_at" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_workloads_worker_active" ON "workloads" ("worker_id") WHERE "status" IN ('SCHEDULED', 'RUNNING', 'PAUSING')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_workloads_customer_idempotency" ON "workloads" ("customer_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "idx_workloads_labels" ON "workloads" USING gin ("labels")`);

    await queryRunner.query(
      `CREATE TABLE "workers" ("id" text NOT NULL, "status" text NOT NULL DEFAULT 'ACTIVE', "tags" jsonb NOT NULL DEFAULT '{}', "region" text, "capacity" integer NOT NULL, "workload_types" text array NOT NULL DEFAULT '{}', "running_count" integer NOT NULL DEFAULT '0', "last_heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_workers" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_workers_status_heartbeat" ON "workers" ("status", "last_heartbeat_at")`,
    );

    await queryRunner.query(
      `CREATE TABLE "checkpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workload_id" uuid NOT NULL, "attempt" integer NOT NULL, "sequence" integer NOT NULL, "size_bytes" integer NOT NULL, "stored_bytes" integer NOT NULL, "codec" text NOT NULL, "content_hash" text NOT NULL, "storage" text NOT NULL DEFAULT 'inline', "data" bytea, "object_key" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_checkpoints" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_checkpoints_workload_sequence" ON "checkpoints" ("workload_id", "sequence")`,
    );

    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "customer_id" uuid, "workload_id" uuid, "actor_type" text NOT NULL, "actor_id" text, "key_id" uuid, "action" text NOT NULL, "before" jsonb, "after" jsonb, "request_id" text, "details" jsonb, CONSTRAINT "pk_audit_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_events_workload" ON "audit_events" ("workload_id", "id")`);
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_customer_occurred" ON "audit_events" ("customer_id", "occurred_at")`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_events_occurred" ON "audit_events" ("occurred_at")`);

    await queryRunner.query(
      `CREATE TABLE "coordinator_state" ("name" text NOT NULL, "holder_id" text, "generation" bigint NOT NULL DEFAULT '0', "lease_expires_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_coordinator_state" PRIMARY KEY ("name"))`,
    );

    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "fk_api_keys_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workloads" ADD CONSTRAINT "fk_workloads_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "checkpoints" ADD CONSTRAINT "fk_checkpoints_workload" FOREIGN KEY ("workload_id") REFERENCES "workloads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Dependants first; dropping a table drops its indexes and constraints.
    await queryRunner.query(`DROP TABLE "coordinator_state"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP TABLE "checkpoints"`);
    await queryRunner.query(`DROP TABLE "workers"`);
    await queryRunner.query(`DROP TABLE "workloads"`);
    await queryRunner.query(`DROP TABLE "workload_configs"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "customers"`);
  }
}
