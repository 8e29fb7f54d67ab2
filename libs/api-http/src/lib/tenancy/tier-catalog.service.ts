import { Injectable } from '@nestjs/common';
import { DEFAULT_TIERS, type TierDefinition } from '@niyanta/models';
import { TierRepository } from '@niyanta/state';

/** How long the API reuses the tier definitions it read. */
const TTL_MS = 5_000;

/**
 * The tier definitions as the API applies them outside rate limiting (which reads them inside its
 * own statement): the highest priority a submission may ask for. Cached for a few seconds; a change
 * made through this replica's admin API is seen at once.
 */
@Injectable()
export class TierCatalogService {
  private cached: { tiers: Readonly<Record<string, TierDefinition>>; until: number } | null = null;

  constructor(private readonly repository: TierRepository) {}

  /** The definition of `name`, of the fallback tier `free` when it is not defined. */
  async tier(name: string): Promise<TierDefinition> {
    const tiers = await this.all();
    return tiers[name] ?? tiers['free'] ?? (DEFAULT_TIERS['free'] as TierDefinition);
  }

  /** Whether a tier of this name is defined. */
  async exists(name: string): Promise<boolean> {
    return (await this.repository.find(name)) !== null;
  }

  /** Drops the cache (after an admin change). */
  invalidate(): void {
    this.cached = null;
  }

  private async all(): Promise<Readonly<Record<string, TierDefinition>>> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.tiers;
    const tiers = { ...DEFAULT_TIERS, ...(await this.repository.loadMap()) };
    this.cached = { tiers, until: now + TTL_MS };
    return tiers;
  }
}
