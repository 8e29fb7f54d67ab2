import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An optional writer-assigned id on audit events (`audit_events.event_id`), unique where set, so an
 * event written outside a transaction (`auth.failed`) can be replayed from a process's local outbox
 * after a crash without being recorded twice.
 */
export class AuditEventId1796100000000 implements MigrationInterface {
  name = 'AuditEventId1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "event_id" uuid`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_audit_events_event_id" ON "audit_events" ("event_id") WHERE "event_id" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_audit_events_event_id"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "event_id"`);
  }
}
