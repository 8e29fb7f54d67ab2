import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { NiyantaApiError, NiyantaStreamError } from './errors';
import { createNiyantaClient } from './niyanta-client';
import type { StreamMessage } from './types';
import { streamQuery } from './workload-stream';

const KEY = 'nyk_abcdefgh_secretsecretsecret';

function snapshot(ids: string[] = []): StreamMessage {
  return { type: 'snapshot', workloads: ids.map((id) => update(id).workload), truncated: false, limit: 1000 } as StreamMessage;
}

function update(id: string, status = 'RUNNING'): Extract<StreamMessage, { type: 'update' }> {
  return {
    type: 'update',
    workload: { id, workload_type: 'sleep', status, attempt: 1, progress: 0, worker_id: null, output: null, error: null, updated_at: '2026-01-31T12:00:00.000Z' },
  } as Extract<StreamMessage, { type: 'update' }>;
}

/** A stand-in for the API's stream endpoint: `onConnection` scripts each connection. */
async function fakeStreamServer(onConnection: (socket: WebSocket, request: IncomingMessage, index: number) => void) {
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('niyanta.v1') ? 'niyanta.v1' : false) });
  const requests: IncomingMessage[] = [];
  server.on('upgrade', (request, socket, head) => {
    requests.push(request);
    if (request.headers.authorization !== `Bearer ${KEY}`) {
      const body = JSON.stringify({ error: { code: 'unauthorized', message: 'a valid API key is required', details: [], request_id: 'r-401' } });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Request-Id: r-401\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request, requests.length - 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('client.stream()', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('writes the filter in the API parameter names', () => {
    expect(streamQuery({})).toBe('');
    expect(streamQuery({ ids: ['a', 'b'], status: ['RUNNING'], workloadType: 'sleep' })).toBe('?ids=a&ids=b&status=RUNNING&workload_type=sleep');
  });

  it('yields the snapshot, then updates, and closes the socket when the loop breaks', async () => {
    let closedByClient: Promise<number> = Promise.resolve(0);
    const server = await fakeStreamServer((socket) => {
      closedByClient = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
      socket.send(JSON.stringify(snapshot(['a'])));
      socket.send(JSON.stringify(update('a', 'RUNNING')));
      socket.send(JSON.stringify(update('a', 'COMPLETED')));
    });
    servers.push(server);
    const client = createNiyantaClient({ baseUrl: server.baseUrl, apiKey: KEY });
    const seen: string[] = [];
    for await (const message of client.stream({ status: ['RUNNING', 'COMPLETED'] })) {
      seen.push(message.type === 'snapshot' ? `snapshot:${message.workloads.length}` : `${message.workload.id}:${message.workload.status}`);
      if (message.type === 'update' && message.workload.status === 'COMPLETED') break;
    }
    expect(seen).toEqual(['snapshot:1', 'a:RUNNING', 'a:COMPLETED']);
    expect(await closedByClient).toBe(1000);
    expect(server.requests[0]?.url).toBe('/v1/stream?status=RUNNING&status=COMPLETED');
    expect(server.requests[0]?.headers['sec-websocket-protocol']).toBe('niyanta.v1');
  });

  it('rejects with the API error when the upgrade is refused', async () => {
    const server = await fakeStreamServer(() => undefined);
    servers.push(server);
    const stream = createNiyantaClient({ baseUrl: server.baseUrl, apiKey: 'nyk_wrongkey_secretsecretsecret' }).stream();
    const failure = await stream.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaApiError);
    expect(failure).toMatchObject({ status: 401, code: 'unauthorized', requestId: 'r-401' });
  });

  it('rejects with the close code when the server drops a slow consumer, after the messages received', async () => {
    const server = await fakeStreamServer((socket) => {
      socket.send(JSON.stringify(snapshot()));
      socket.close(4008, 'slow consumer');
    });
    servers.push(server);
    const stream = createNiyantaClient({ baseUrl: server.baseUrl, apiKey: KEY }).stream();
    await expect(stream.next()).resolves.toMatchObject({ done: false, value: { type: 'snapshot' } });
    const failure = await stream.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaStreamError);
    expect(failure).toMatchObject({ code: 4008, reason: 'slow consumer' });
  });

  it('reconnects when the server goes away and starts again with a fresh snapshot', async () => {
    const server = await fakeStreamServer((socket, _request, index) => {
      socket.send(JSON.stringify(snapshot([`s${index}`])));
      if (index === 0) socket.close(1001, 'server shutting down');
      else socket.send(JSON.stringify(update('after-reconnect')));
    });
    servers.push(server);
    const stream = createNiyantaClient({ baseUrl: server.baseUrl, apiKey: KEY }).stream();
    const seen: string[] = [];
    for await (const message of stream) {
      seen.push(message.type === 'snapshot' ? `snapshot:${message.workloads[0]?.id}` : message.workload.id);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['snapshot:s0', 'snapshot:s1', 'after-reconnect']);
  });

  it('stops reading while the consumer falls behind and resumes as it catches up', async () => {
    const total = 50;
    const server = await fakeStreamServer((socket) => {
      socket.send(JSON.stringify(snapshot()));
      for (let i = 0; i < total; i++) socket.send(JSON.stringify(update(`w${i}`)));
    });
    servers.push(server);
    const stream = createNiyantaClient({ baseUrl: server.baseUrl, apiKey: KEY }).stream({}, { highWaterMark: 4 });
    const first = await stream.next();
    expect(first.value?.type).toBe('snapshot');
    // Reading stops once the buffer holds highWaterMark messages it has not handed out.
    const socket = (stream as unknown as { socket: WebSocket }).socket;
    // The signal is the stream's own call of pause(), observed (or already made) before it is asserted.
    const paused = new Promise<void>((resolve) => {
      const pause = socket.pause.bind(socket);
      socket.pause = () => {
        pause();
        resolve();
      };
      if (socket.isPaused) resolve();
    });
    await paused;
    expect(socket.isPaused).toBe(true);
    let received = 0;
    for await (const message of stream) {
      if (message.type === 'update') received++;
      if (received === total) break;
    }
    expect(received).toBe(total);
  });
});
