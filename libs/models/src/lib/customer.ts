import type { TierName } from './tier';

/** Whether a customer may use the API. */
export type CustomerState = 'active' | 'suspended';

/** A tenant (SPEC §4): owns API keys and workloads; its tier sets rate, concurrency and weight. */
export interface Customer {
  id: string;
  name: string;
  tier: TierName;
  status: CustomerState;
  createdAt: Date;
  updatedAt: Date;
}

/** An API key as stored: never the secret, only its public prefix and hash. */
export interface ApiKeyInfo {
  id: string;
  customerId: string;
  /** Public part of the key (`nyk_<prefix>_...`), unique. */
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  keyHash: string;
  name: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Who made an authenticated request. */
export type Principal =
  | { kind: 'customer'; customerId: string; keyId: string; tier: TierName }
  | { kind: 'admin' };
