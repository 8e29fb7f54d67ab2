import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { workspaceRoot } from './processes';

/** A local S3-compatible server for integration and end-to-end tests. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>`; clients must use path-style addressing. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Creates a bucket with a unique name (through the S3 API) and returns its name. */
  createBucket(label?: string): Promise<string>;
  /** Stops the server and deletes everything it stored. */
  stop(): Promise<void>;
}

/** s3rver's built-in account; it verifies request signatures against this pair. */
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
const START_TIMEOUT_MS = 30_000;

/**
 * Starts s3rver (a maintained fork of the S3 emulator, installed from npm) in a child process on a
 * free loopback port, request signatures checked, objects under a temporary directory. See
 * `s3-test-server.main.ts` for the two s3rver defects it works around.
 *
 * What it does not do like S3: an object overwritten while being read can make the read fail
 * (never return a mix). Checkpoint objects are never overwritten (every write has a fresh key).
 */
export async function startS3TestServer(): Promise<S3TestServer> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'niyanta-s3-'));
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-r', '@swc-node/register', path.join(__dirname, 's3-test-server.main.ts'), directory],
    { cwd: workspaceRoot(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`S3 test server did not start:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /\{"port":(\d+)\}/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`S3 test server exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });
  return {
    endpoint,
    region,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    createBucket: async (label = 'test') => {
      const safe = label.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
      const bucket = `${safe}-${randomBytes(4).toString('hex')}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    stop: async () => {
      client.destroy();
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
