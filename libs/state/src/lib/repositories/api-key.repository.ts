import { Injectable } from '@nestjs/common';
import type { ApiKeyInfo, Customer, CustomerState } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditActor } from './audit.repository';

interface ApiKeyRow {
  id: string;
  customer_id: string;
  prefix: string;
  key_hash: string;
  name: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

interface CustomerColumnsOfKey {
  customer_name: string;
  customer_tier: string;
  customer_status: CustomerState;
  customer_created_at: Date;
  customer_updated_at: Date;
}

const KEY_COLUMNS = 'id, customer_id, prefix, key_hash, name, created_at, expires_at, revoked_at';

function toApiKey(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    customerId: row.customer_id,
    prefix: row.prefix,
    keyHash: row.key_hash,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** What {@link ApiKeyRepository.issue} stores: never the secret, only its hash. */
export interface NewApiKey {
  customerId: string;
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  keyHash: string;
  name: string | null;
  expiresAt: Date | null;
}

/** Stores, finds and revokes API keys. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The key with this public prefix and its customer, whatever their state (the caller checks
   * revocation, expiry and the hash, so that every failure is audited the same way).
   */
  async findByPrefix(prefix: string): Promise<{ key: ApiKeyInfo; customer: Customer } | null> {
    const rows: Array<ApiKeyRow & CustomerColumnsOfKey> = await this.dataSource.query(
      `SELECT k.id, k.customer_id, k.prefix, k.key_hash, k.name, k.created_at, k.expires_at, k.revoked_at,
              c.name AS customer_name, c.tier AS customer_tier, c.status AS customer_status,
              c.created_at AS customer_created_at, c.updated_at AS customer_updated_at
         FROM api_keys k JOIN customers c ON c.id = k.customer_id
        WHERE k.prefix = $1`,
      [prefix],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      key: toApiKey(row),
      customer: {
        id: row.customer_id,
        name: row.customer_name,
        tier: row.customer_tier,
        status: row.customer_status,
        createdAt: row.customer_created_at,
        updatedAt: row.customer_updated_at,
      },
    };
  }

  /** The customer's keys (revoked and expired ones included), newest first; never a secret. */
  async listForCustomer(customerId: string): Promise<ApiKeyInfo[]> {
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE customer_id = $1 ORDER BY created_at DESC, id DESC`,
      [customerId],
    );
    return rows.map(toApiKey);
  }

  /** Inserts a key and its `api_key.issued` audit event in one transaction. */
  async issue(input: NewApiKey, actor: AuditActor): Promise<ApiKeyInfo> {
    return this.dataSource.transaction(async (manager) => {
      const rows: ApiKeyRow[] = await manager.query(
        `INSERT INTO api_keys (customer_id, prefix, key_hash, name, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${KEY_COLUMNS}`,
        [input.customerId, input.prefix, input.keyHash, input.name, input.expiresAt],
      );
      const key = toApiKey(rows[0] as ApiKeyRow);
      await appendAudit(manager, [
        {
          action: 'api_key.issued',
          ...actor,
          customerId: key.customerId,
          after: { key_id: key.id, prefix: key.prefix, name: key.name, expires_at: key.expiresAt },
        },
      ]);
      return key;
    });
  }

  /**
   * Makes sure the key with `input.prefix` has exactly this hash, customer and no revocation or
   * expiry (for seeding a known development key). Inserts it (audited as `api_key.issued`) when
   * absent; returns the stored key.
   */
  async ensure(input: Omit<NewApiKey, 'expiresAt'>, actor: AuditActor): Promise<ApiKeyInfo> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<ApiKeyRow & { inserted: boolean }> = await manager.query(
        `INSERT INTO api_keys (customer_id, prefix, key_hash, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (prefix) DO UPDATE
           SET customer_id = EXCLUDED.customer_id, key_hash = EXCLUDED.key_hash, revoked_at = NULL, expires_at = NULL
         RETURNING ${KEY_COLUMNS}, (xmax = 0) AS inserted`,
        [input.customerId, input.prefix, input.keyHash, input.name],
      );
      const row = rows[0] as ApiKeyRow & { inserted: boolean };
      const key = toApiKey(row);
      if (row.inserted) {
        await appendAudit(manager, [
          { action: 'api_key.issued', ...actor, customerId: key.customerId, after: { key_id: key.id, prefix: key.prefix, name: key.name } },
        ]);
      }
      return key;
    });
  }

  /**
   * Marks the key revoked (with its `api_key.revoked` audit event). Revoking a revoked key changes
   * nothing and returns it; an unknown id returns null.
   */
  async revoke(id: string, actor: AuditActor): Promise<ApiKeyInfo | null> {
    return this.dataSource.transaction(async (manager) => {
      const updated: ApiKeyRow[] = await manager.query(
        // Wrapped in a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of rows.
        `WITH revoked AS (
           UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${KEY_COLUMNS})
         SELECT * FROM revoked`,
        [id],
      );
      const revoked = updated[0];
      if (!revoked) {
        const existing: ApiKeyRow[] = await manager.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
        const row = existing[0];
        return row ? toApiKey(row) : null;
      }
      const key = toApiKey(revoked);
      await appendAudit(manager, [
        {
          action: 'api_key.revoked',
          ...actor,
          customerId: key.customerId,
          before: { key_id: key.id, revoked_at: null },
          after: { key_id: key.id, revoked_at: key.revokedAt },
        },
      ]);
      return key;
    });
  }
}
