/**
 * Runs s3rver for {@link startS3TestServer} in a process of its own, started with
 * `--openssl-legacy-provider`: s3rver encrypts list continuation tokens with DES, which OpenSSL 3
 * refuses by default, so without it any listing longer than one page (1,000 keys) fails.
 *
 * Prints `{"port": <n>}` once listening; exits when its parent closes stdin (so a test runner that
 * dies does not leave it behind) or on SIGTERM.
 */
import S3rver from '@20minutes/s3rver';

async function main(): Promise<void> {
  const directory = process.argv[2];
  if (directory === undefined) throw new Error('usage: s3-test-server.main.ts <directory>');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  // s3rver computes the canonical URI of a path-style bucket request (`GET /bucket/?list-type=2`)
  // without the trailing slash that the AWS SDK v3 signs, so every bucket-level call would fail with
  // SignatureDoesNotMatch. Rather than switch signature checks off, this middleware (just before the
  // router) marks such requests the way s3rver's own virtual-host handling does, which makes it
  // sign `/<bucket>/` exactly as the client did.
  server.middleware.splice(server.middleware.length - 1, 0, (ctx, next) => {
    if (/^\/[^/]+\/$/.test(ctx.path) && !ctx.state.vhost) {
      ctx.state.vhost = true;
      ctx.mountPath = '/';
    }
    return next();
  });
  const address = await server.run();
  // Exit at once: s3rver's close() waits for every keep-alive connection a client left open, and
  // what it stored is thrown away by the parent anyway.
  const stop = (): void => process.exit(0);
  process.stdin.on('end', stop).on('close', stop).resume();
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`s3 test server failed: ${String(error)}\n`);
  process.exit(1);
});
