import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { applyServerLimits, clientErrorResponse, DEFAULT_SERVER_LIMITS } from './server-limits';

describe(applyServerLimits.name, () => {
  let server: Server;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function listen(maxConnections: number): Promise<number> {
    server = createServer((_req, res) => res.end('ok'));
    applyServerLimits(server, { ...DEFAULT_SERVER_LIMITS, maxConnections });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** Opens a connection and resolves once the server has accepted it (it answers a request on it). */
  async function held(port: number): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('data', () => resolve());
      socket.once('error', reject);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    return socket;
  }

  it('sets the timeouts and closes connections beyond the cap at once', async () => {
    const port = await listen(2);
    expect(server.headersTimeout).toBe(DEFAULT_SERVER_LIMITS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(DEFAULT_SERVER_LIMITS.requestTimeoutMs);
    expect(server.keepAliveTimeout).toBe(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs);
    await held(port);
    await held(port);
    const third = connect(port, '127.0.0.1');
    sockets.push(third);
    const received: Buffer[] = [];
    third.on('data', (chunk: Buffer) => received.push(chunk));
    third.on('error', () => undefined);
    third.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => third.once('close', resolve));
    expect(Buffer.concat(received).toString()).toBe('');
  });
});

describe(clientErrorResponse.name, () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'headers_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request_timeout'],
    ['HPE_INVALID_METHOD', 400, 'validation_failed'],
  ])('answers %s with %i in the error shape and a request id', (errorCode, status, code) => {
    const [head, body] = clientErrorResponse(errorCode).split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    const requestId = /X-Request-Id: (\S+)/.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual({ error: { code, message: expect.any(String), details: [], request_id: requestId } });
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
  });
});
