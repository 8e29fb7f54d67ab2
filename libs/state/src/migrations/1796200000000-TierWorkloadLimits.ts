import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two tier limits that keep one customer from hurting another: `max_pending` (workloads waiting at
 * once; the API refuses submissions beyond it) and `max_fleet_share` (the share of the live fleet's
 * slots one customer may hold). The default tiers get their documented values.
 */
export class TierWorkloadLimits1796200000000 implements MigrationInterface {
  name = 'TierWorkloadLimits1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tiers" ADD "max_pending" integer NOT NULL DEFAULT 100000`);
    await queryRunner.query(`ALTER TABLE "tiers" ADD "max_fleet_share" double precision NOT NULL DEFAULT 1`);
    await queryRunner.query(
      `UPDATE "tiers" t SET "max_pending" = d.max_pending, "max_fleet_share" = d.max_fleet_share
         FROM (VALUES ('free', 10000, 0.5), ('standard', 100000, 0.75), ('premium', 1000000, 1), ('enterprise', 10000000, 1))
              AS d(name, max_pending, max_fleet_share)
        WHERE t.name = d.name`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tiers" DROP COLUMN "max_fleet_share"`);
    await queryRunner.query(`ALTER TABLE "tiers" DROP COLUMN "max_pending"`);
  }
}
