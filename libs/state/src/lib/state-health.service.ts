import { Injectable } from '@nestjs/common';
import { DependencyUnavailableError } from '@niyanta/models';
import { DataSource } from 'typeorm';

/** Default bound of a readiness ping. */
export const DEFAULT_PING_TIMEOUT_MS = 1000;

/** Readiness of the state database, for `/ready`. */
@Injectable()
export class StateHealth {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Resolves when PostgreSQL answers `SELECT 1` within `timeoutMs`; otherwise rejects with
   * {@link DependencyUnavailableError}. The timer also covers waiting for a pooled connection, so a
   * saturated pool reads as not ready rather than hanging the probe.
   * @param timeoutMs @default 1000
   */
  async ping(timeoutMs: number = DEFAULT_PING_TIMEOUT_MS): Promise<void> {
    if (!this.dataSource.isInitialized) {
      throw new DependencyUnavailableError('postgresql');
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DependencyUnavailableError('postgresql', new Error(`no answer within ${timeoutMs} ms`))),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      throw new DependencyUnavailableError('postgresql', error);
    } finally {
      clearTimeout(timer);
    }
  }
}
