import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leaves 15 % of each `workloads` page free, so the updates that change no indexed column —
 * progress, pending reasons, checkpoint pointers — can be HOT (the new row version stays on its page
 * and no index is touched). With full pages every such update moved the row and wrote an entry in
 * each of the table's indexes. Applies to pages written from now on.
 */
export class WorkloadsFillfactor1796300000000 implements MigrationInterface {
  name = 'WorkloadsFillfactor1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workloads" SET (fillfactor = 85)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workloads" RESET (fillfactor)`);
  }
}
