import { loadStandaloneConfig } from './standalone.config';
import { loadWorkerConfig } from './worker.config';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', NATS_URL: 'nats://127.0.0.1:4222' };

describe('checkpoint configuration', () => {
  it('keeps checkpoints inline by default with the documented limits', () => {
    expect(loadWorkerConfig(required)).toMatchObject({
      checkpointStorage: { kind: 'inline' },
      checkpointInlineMaxBytes: 262_144,
      checkpointRetain: 3,
      checkpointSweepIntervalMs: 600_000,
      checkpointOrphanGraceMs: 3_600_000,
    });
  });

  it('reads a filesystem store and the limits', () => {
    const config = loadWorkerConfig({
      ...required,
      CHECKPOINT_STORE: 'filesystem',
      CHECKPOINT_DIR: '/mnt/checkpoints',
      CHECKPOINT_INLINE_MAX: '64kb',
      CHECKPOINT_RETAIN: '5',
      CHECKPOINT_SWEEP_INTERVAL: 'off',
      CHECKPOINT_ORPHAN_GRACE: '2h',
    });
    expect(config).toMatchObject({
      checkpointStorage: { kind: 'filesystem', dir: '/mnt/checkpoints' },
      checkpointInlineMaxBytes: 65_536,
      checkpointRetain: 5,
      checkpointSweepIntervalMs: 0,
      checkpointOrphanGraceMs: 7_200_000,
    });
  });

  it('reads an S3-compatible store', () => {
    const config = loadWorkerConfig({
      ...required,
      CHECKPOINT_STORE: 'S3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'niyanta-checkpoints',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.checkpointStorage).toEqual({
      kind: 's3',
      endpoint: 'http://minio:9000',
      bucket: 'niyanta-checkpoints',
      region: 'eu-west-1',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
      forcePathStyle: true,
    });
  });

  it('uses the default AWS credential chain and virtual-host addressing when not told otherwise', () => {
    const config = loadWorkerConfig({ ...required, CHECKPOINT_STORE: 's3', S3_BUCKET: 'ckpt' });
    expect(config.checkpointStorage).toEqual({
      kind: 's3',
      endpoint: undefined,
      bucket: 'ckpt',
      region: 'us-east-1',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: false,
    });
  });

  it.each([
    [{ CHECKPOINT_STORE: 'tape' }, 'CHECKPOINT_STORE: expected one of inline, filesystem, s3'],
    [{ CHECKPOINT_STORE: 'filesystem' }, 'CHECKPOINT_DIR: required when CHECKPOINT_STORE=filesystem'],
    [{ CHECKPOINT_STORE: 's3' }, 'S3_BUCKET: required when CHECKPOINT_STORE=s3'],
    [{ S3_BUCKET: 'Not_A_Bucket' }, 'S3_BUCKET: expected an S3 bucket name'],
    [{ S3_ENDPOINT: 'ftp://host' }, 'S3_ENDPOINT: expected an http(s) URL'],
    [{ S3_ACCESS_KEY_ID: 'only-the-id' }, 'S3_SECRET_ACCESS_KEY: set both'],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE: expected true or false'],
    [{ CHECKPOINT_RETAIN: '0' }, 'CHECKPOINT_RETAIN: expected an integer from 1 to 1000'],
    [{ CHECKPOINT_INLINE_MAX: 'big' }, 'CHECKPOINT_INLINE_MAX: expected a positive size'],
    [{ CHECKPOINT_ORPHAN_GRACE: '10s' }, 'CHECKPOINT_ORPHAN_GRACE: must be at least 1m'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadWorkerConfig({ ...required, ...env })).toThrow(message);
  });

  it('never echoes a malformed secret', () => {
    let message = '';
    try {
      loadWorkerConfig({ ...required, S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'has a space' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('S3_SECRET_ACCESS_KEY');
    expect(message).not.toContain('has a space');
  });

  it('puts standalone filesystem checkpoints under DATA_DIR unless CHECKPOINT_DIR says otherwise', () => {
    expect(loadStandaloneConfig({ CHECKPOINT_STORE: 'filesystem', DATA_DIR: '/var/lib/niyanta/' }).checkpointStorage).toEqual({
      kind: 'filesystem',
      dir: '/var/lib/niyanta/checkpoints',
    });
    expect(
      loadStandaloneConfig({ CHECKPOINT_STORE: 'filesystem', CHECKPOINT_DIR: '/ckpt' }).checkpointStorage,
    ).toEqual({ kind: 'filesystem', dir: '/ckpt' });
  });
});
