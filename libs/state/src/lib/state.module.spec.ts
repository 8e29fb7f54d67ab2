import { ReadinessService } from '@niyanta/observability';
import type { DataSource } from 'typeorm';
import type { StateHealth } from './state-health.service';
import { StateModule } from './state.module';

describe(StateModule.name, () => {
  it('reports PostgreSQL in /ready as `postgres`', async () => {
    const readiness = new ReadinessService();
    const health = { ping: async () => Promise.reject(new Error('postgresql is unavailable')) } as unknown as StateHealth;
    new StateModule({} as DataSource, health, readiness).onModuleInit();
    expect(await readiness.report()).toEqual({
      status: 'unavailable',
      checks: { postgres: { ok: false, error: 'postgresql is unavailable' } },
    });
  });

  it('needs no readiness registry (an app without observability)', () => {
    expect(() => new StateModule({} as DataSource, {} as StateHealth).onModuleInit()).not.toThrow();
  });
});
