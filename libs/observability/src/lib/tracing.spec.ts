import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTracing, workloadTracer, type TracingSettings } from './tracing';

const execFileAsync = promisify(execFile);
const WORKSPACE = path.resolve(__dirname, '../../../..');

interface Post {
  path: string | undefined;
  headers: IncomingHttpHeaders;
  contentType: string | undefined;
  body: Buffer;
}

/** An OTLP/HTTP receiver that only records what it was sent. */
async function receiver(): Promise<{ url: string; posts: Post[]; close: () => Promise<void> }> {
  const posts: Post[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      posts.push({ path: req.url, headers: req.headers, contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe(startTracing.name, () => {
  const base: Omit<TracingSettings, 'tracesUrl' | 'protocol'> = {
    headers: { 'x-tenant': 'ops' },
    sampler: 'always_on',
    samplerRatio: 1,
    resourceAttributes: {},
  };

  it('starts nothing without settings', async () => {
    const stop = startTracing(null, 'worker');
    expect(workloadTracer()).toBeNull();
    await stop();
  });

  // The exporters load node:http with a dynamic import, which Jest's module sandbox refuses, so the
  // export runs in a child process of its own: as it runs in the apps.
  it.each([
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ] as const)('exports spans over OTLP/HTTP as %s', async (protocol, contentType) => {
    const collector = await receiver();
    try {
      const settings: TracingSettings = { ...base, tracesUrl: collector.url, protocol };
      const script = `
        const { startTracing, workloadTracer } = require(${JSON.stringify(require.resolve('./tracing'))});
        const stop = startTracing(${JSON.stringify(settings)}, 'coordinator-api');
        const tracer = workloadTracer();
        tracer.end(tracer.start('workload.submit', null));
        // Shutting down flushes the batch: the post has been answered when it resolves.
        stop().then(() => process.stdout.write(String(workloadTracer() === null)));
      `;
      const { stdout } = await execFileAsync(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: WORKSPACE });
      expect(stdout).toBe('true');
      expect(collector.posts).toHaveLength(1);
      const [post] = collector.posts;
      expect(post?.path).toBe('/v1/traces');
      expect(post?.contentType).toBe(contentType);
      expect(post?.headers['x-tenant']).toBe('ops');
      // Both encodings carry the span's name and the process's service name as text.
      const text = post?.body.toString('latin1') ?? '';
      expect(text).toContain('workload.submit');
      expect(text).toContain('coordinator-api');
      if (protocol === 'http/json') expect(() => JSON.parse(text)).not.toThrow();
      else expect(() => JSON.parse(text)).toThrow();
    } finally {
      await collector.close();
    }
  });
});
