import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Test } from '@nestjs/testing';
import { createEnvelope, Subjects } from '@niyanta/models';
import { testNatsUrl, uniqueBrokerPrefix } from '@niyanta/testing';
import { BrokerHealth } from './broker-health.service';
import { BrokerModule } from './broker.module';
import { Broker } from './broker.port';
import { durableStreamName } from './durable-subjects';
import { NatsBroker } from './nats/nats-broker.adapter';

describe(`${BrokerModule.name} with NATS`, () => {
  const prefix = uniqueBrokerPrefix('module');

  afterAll(async () => {
    const nc = await connect({ servers: testNatsUrl() });
    await (await jetstreamManager(nc)).streams.delete(durableStreamName(prefix)).catch(() => false);
    await nc.close();
  });

  it('connects the NATS adapter, answers health pings and closes on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BrokerModule.forRoot({ kind: 'nats', servers: testNatsUrl(), name: 'module-test', prefix })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const broker = app.get(Broker);
    const subjects = app.get(Subjects);

    expect(broker).toBeInstanceOf(NatsBroker);
    await expect(app.get(BrokerHealth).ping()).resolves.toBeUndefined();
    await broker.publishDurable(subjects.workerAssign('w1'), createEnvelope('workload.assignment', {}));

    await app.close();

    expect(broker.isConnected()).toBe(false);
  });
});
