import { Global, Logger, Module, Optional, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { ReadinessService } from '@niyanta/observability';
import { Subjects } from '@niyanta/models';
import { BrokerHealth } from './broker-health.service';
import { BrokerMetricsExporter } from './broker-metrics';
import { Broker } from './broker.port';
import { describe } from './broker-runtime';
import { FaultInjectingBroker, hasBrokerFaults, type BrokerFaults } from './fault-injecting-broker';
import { InProcessBroker, type InProcessBrokerOptions } from './in-process/in-process-broker.adapter';
import { NatsBroker, type NatsBrokerOptions } from './nats/nats-broker.adapter';

/**
 * Chooses the adapter: `nats` for deployments, `memory` for the standalone app and tests.
 * `faults` wraps it in a {@link FaultInjectingBroker} (fault-injection runs only). @default none
 */
export type BrokerModuleOptions = (({ kind: 'nats' } & NatsBrokerOptions) | ({ kind: 'memory' } & InProcessBrokerOptions)) & {
  faults?: BrokerFaults;
};

/** Options of {@link BrokerModule.forRootAsync}, for options that come from another provider. */
export interface BrokerModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
  useFactory: (...args: never[]) => BrokerModuleOptions | Promise<BrokerModuleOptions>;
}

const BROKER_MODULE_OPTIONS = Symbol('BROKER_MODULE_OPTIONS');

/** Creates the adapter `options.kind` names. */
export async function createBroker(options: BrokerModuleOptions): Promise<Broker> {
  const { faults } = options;
  const broker = await createAdapter(options);
  if (!hasBrokerFaults(faults)) return broker;
  new Logger(BrokerModule.name).warn(
    `injecting broker faults: drop ${faults.drop ?? 0}, duplicate ${faults.duplicate ?? 0} (never in production)`,
  );
  return new FaultInjectingBroker(broker, faults);
}

async function createAdapter(options: BrokerModuleOptions): Promise<Broker> {
  if (options.kind === 'nats') {
    const { kind: _kind, faults: _faults, ...nats } = options;
    return NatsBroker.connect(nats);
  }
  const { kind: _kind, faults: _faults, ...memory } = options;
  return new InProcessBroker(memory);
}

/**
 * Provides, application-wide: {@link Broker} (inject by the class), {@link Subjects} built on the
 * configured prefix, and {@link BrokerHealth}. The broker is closed in `onApplicationShutdown`,
 * the last shutdown phase, so services that drain in `onModuleDestroy` or
 * `beforeApplicationShutdown` can still publish their final messages.
 */
@Global()
@Module({})
export class BrokerModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerModule.name);
  private readonly stopExporting: () => void;

  constructor(
    private readonly broker: Broker,
    private readonly health: BrokerHealth,
    @Optional() private readonly readiness?: ReadinessService,
  ) {
    this.stopExporting = BrokerMetricsExporter.of().add(broker);
  }

  /** Every process that uses the broker reports it in `/ready` as `broker`. */
  onModuleInit(): void {
    this.readiness?.register('broker', () => this.health.ping());
  }

  /** Connects when the application starts (a NATS that cannot be reached fails the start). */
  static forRoot(options: BrokerModuleOptions): DynamicModule {
    return BrokerModule.build([{ provide: BROKER_MODULE_OPTIONS, useValue: options }]);
  }

  /** Like {@link forRoot}, with the options built by `useFactory` from injected providers. */
  static forRootAsync(options: BrokerModuleAsyncOptions): DynamicModule {
    return BrokerModule.build(
      [{ provide: BROKER_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports,
    );
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: BrokerModule,
      global: true,
      imports,
      providers: [
        ...optionsProviders,
        { provide: Broker, useFactory: createBroker, inject: [BROKER_MODULE_OPTIONS] },
        { provide: Subjects, useFactory: (o: BrokerModuleOptions) => new Subjects(o.prefix), inject: [BROKER_MODULE_OPTIONS] },
        BrokerHealth,
      ],
      exports: [Broker, Subjects, BrokerHealth],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopExporting();
    try {
      await this.broker.close();
    } catch (error) {
      this.logger.warn(`closing the broker failed: ${describe(error)}`);
    }
  }
}
