import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { eventually } from '@niyanta/testing';
import { StartupProbe, tcpCheck } from './startup-probe.server';

async function listeningServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await listeningServer();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(StartupProbe.name, () => {
  let probe: StartupProbe;
  let base: string;
  const logs: string[] = [];

  beforeEach(async () => {
    logs.length = 0;
    probe = await StartupProbe.start({ port: 0, host: '127.0.0.1', serviceName: 'worker', log: (level, m) => logs.push(`${level}: ${m}`) });
    base = `http://127.0.0.1:${probe.port}`;
  });

  afterEach(async () => {
    await probe.close();
  });

  it('answers /health 200, /ready 503 naming the dependency, other paths 503 with the error envelope', async () => {
    const controller = new AbortController();
    const waiting = probe.waitFor({ postgres: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) }, { intervalMs: 20, signal: controller.signal });
    await eventually('the first failed check', () => probe.report().checks['postgres']?.error?.startsWith('connect'));

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'starting' });

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      checks: { postgres: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:1' } },
      details: { starting: true },
    });

    const api = await fetch(`${base}/v1/workloads`, { headers: { 'X-Request-Id': 'probe-1' } });
    expect(api.status).toBe(503);
    expect(api.headers.get('x-request-id')).toBe('probe-1');
    expect(api.headers.get('retry-after')).toBe('1');
    expect(await api.json()).toEqual({
      error: { code: 'dependency_unavailable', message: 'worker is starting: waiting for postgres', details: [], request_id: 'probe-1' },
    });

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total');

    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    // Logged once, not once per attempt.
    expect(logs).toEqual(['warn: waiting for postgres: connect ECONNREFUSED 127.0.0.1:1']);
  });

  it('resolves once every check passes in the same round', async () => {
    let attempts = 0;
    await probe.waitFor(
      {
        postgres: async () => {
          attempts += 1;
          if (attempts < 3) throw new Error('starting up');
        },
        broker: async () => undefined,
      },
      { intervalMs: 5 },
    );
    expect(attempts).toBe(3);
    // The probe itself never claims readiness: the application does, once it serves.
    expect(probe.report()).toEqual({ status: 'unavailable', checks: { postgres: { ok: true }, broker: { ok: true } }, details: { starting: true } });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(logs).toEqual(['warn: waiting for postgres: starting up', 'info: broker is reachable', 'info: postgres is reachable']);
  });

  it('fails a hanging check after its timeout', async () => {
    const controller = new AbortController();
    const waiting = probe.waitFor({ broker: () => new Promise<void>(() => undefined) }, { checkTimeoutMs: 30, intervalMs: 10, signal: controller.signal });
    await eventually('the check to time out', () => probe.report().checks['broker']?.error?.startsWith('timed out'));
    expect(probe.report().checks['broker']).toEqual({ ok: false, error: 'timed out after 30ms' });
    controller.abort(new Error('done'));
    await expect(waiting).rejects.toThrow('done');
  });

  it('frees the port on close, even with a keep-alive connection open', async () => {
    const port = probe.port;
    await fetch(`${base}/health`, { headers: { Connection: 'keep-alive' } });
    await probe.close();
    const again = await StartupProbe.start({ port, host: '127.0.0.1', serviceName: 'worker' });
    expect(again.port).toBe(port);
    probe = again;
  });
});

describe(tcpCheck.name, () => {
  it('passes when any listed server accepts a connection', async () => {
    const { server, port } = await listeningServer();
    const dead = await closedPort();
    try {
      await expect(tcpCheck([`nats://127.0.0.1:${dead}`, `127.0.0.1:${port}`], 4222)()).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('fails naming every unreachable server', async () => {
    const dead = await closedPort();
    await expect(tcpCheck([`nats://127.0.0.1:${dead}`], 4222)()).rejects.toThrow(`127.0.0.1:${dead}: connect ECONNREFUSED 127.0.0.1:${dead}`);
  });
});
