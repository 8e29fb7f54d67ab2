import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createEnvelope, Subjects } from '@niyanta/models';
import { ReadinessService } from '@niyanta/observability';
import { BrokerHealth } from './broker-health.service';
import { BrokerUnavailableError } from './errors';
import { BrokerModule } from './broker.module';
import { Broker } from './broker.port';
import { InProcessBroker } from './in-process/in-process-broker.adapter';

@Injectable()
class NeedsBroker {
  constructor(
    readonly broker: Broker,
    readonly subjects: Subjects,
  ) {}
}

describe(BrokerModule.name, () => {
  it('provides the in-process broker, subjects on the prefix and health, and closes the broker on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BrokerModule.forRoot({ kind: 'memory', prefix: 'modtest' })],
      providers: [NeedsBroker],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const { broker, subjects } = app.get(NeedsBroker);
    const health = app.get(BrokerHealth);

    expect(broker).toBeInstanceOf(InProcessBroker);
    expect(subjects.leaderWake()).toBe('modtest.leader.wake');
    await expect(health.ping()).resolves.toBeUndefined();
    await broker.publishDurable(subjects.workerAssign('w1'), createEnvelope('workload.assignment', {}));

    await app.close();

    expect(broker.isConnected()).toBe(false);
    await expect(health.ping()).rejects.toBeInstanceOf(BrokerUnavailableError);
  });

  it('builds its options from injected providers with forRootAsync', async () => {
    const PREFIX = 'BROKER_PREFIX_TOKEN';
    const moduleRef = await Test.createTestingModule({
      imports: [
        BrokerModule.forRootAsync({
          inject: [PREFIX],
          useFactory: (prefix: string) => ({ kind: 'memory', prefix }),
          imports: [
            {
              module: class PrefixModule {},
              providers: [{ provide: PREFIX, useValue: 'fromfactory' }],
              exports: [PREFIX],
            },
          ],
        }),
      ],
    }).compile();

    expect(moduleRef.get(Subjects).prefix).toBe('fromfactory');
    await moduleRef.get(Broker).close();
  });

  it('reports the broker in /ready as `broker`', async () => {
    const readiness = new ReadinessService();
    const health = { ping: async () => Promise.reject(new Error('disconnected')) } as unknown as BrokerHealth;
    new BrokerModule({} as Broker, health, readiness).onModuleInit();
    expect(await readiness.report()).toEqual({ status: 'unavailable', checks: { broker: { ok: false, error: 'disconnected' } } });
  });

  it('needs no readiness registry (an app without observability)', () => {
    expect(() => new BrokerModule({} as Broker, {} as BrokerHealth).onModuleInit()).not.toThrow();
  });
});
