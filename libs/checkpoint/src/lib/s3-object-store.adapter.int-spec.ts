import { startS3TestServer, type S3TestServer } from '@niyanta/testing';
import { listAll, objectStoreConformance } from '../testing/object-store.conformance';
import { S3ObjectStore } from './s3-object-store.adapter';

describe(`${S3ObjectStore.name} (local S3-compatible server)`, () => {
  let s3: S3TestServer;

  beforeAll(async () => {
    s3 = await startS3TestServer();
  });

  afterAll(async () => {
    await s3?.stop();
  });

  const open = (bucket: string, overrides: Partial<ConstructorParameters<typeof S3ObjectStore>[0]> = {}) =>
    new S3ObjectStore({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      ...overrides,
    });

  describe('conformance', () => {
    // The local test server writes an overwritten object in place (a racing read can see a mix of
    // two versions); S3 itself replaces objects atomically, and checkpoints never overwrite a key.
    objectStoreConformance(async () => open(await s3.createBucket('conformance')), undefined, { atomicOverwrite: false });
  });

  it('keeps deployments that share a bucket apart by key prefix', async () => {
    const bucket = await s3.createBucket('shared');
    const prod = open(bucket, { keyPrefix: 'prod/' });
    const staging = open(bucket, { keyPrefix: 'staging/' });
    const whole = open(bucket);
    try {
      await prod.put('checkpoints/a/1.ckpt', Buffer.from('prod'));
      await staging.put('checkpoints/a/1.ckpt', Buffer.from('staging'));
      expect((await prod.get('checkpoints/a/1.ckpt')).toString()).toBe('prod');
      expect((await listAll(staging, '')).map((o) => o.key)).toEqual(['checkpoints/a/1.ckpt']);
      expect((await listAll(whole, '')).map((o) => o.key)).toEqual(['prod/checkpoints/a/1.ckpt', 'staging/checkpoints/a/1.ckpt']);
    } finally {
      await Promise.all([prod.close(), staging.close(), whole.close()]);
    }
  });

  it('is refused with a wrong secret (signatures are checked) and fails ping for a missing bucket', async () => {
    const bucket = await s3.createBucket('auth');
    const forged = open(bucket, { secretAccessKey: 'not-the-secret', maxAttempts: 1 });
    const missing = open('no-such-bucket-here', { maxAttempts: 1 });
    try {
      await expect(forged.put('checkpoints/a/1.ckpt', Buffer.from('x'))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
      await expect(forged.ping()).rejects.toThrow();
      await expect(missing.ping()).rejects.toThrow();
      await expect(missing.get('checkpoints/a/1.ckpt')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    } finally {
      await Promise.all([forged.close(), missing.close()]);
    }
  });

  it('rejects contradictory options', () => {
    expect(() => new S3ObjectStore({ bucket: '' })).toThrow(/bucket/);
    expect(() => new S3ObjectStore({ bucket: 'b', accessKeyId: 'only-one' })).toThrow(/both/);
    expect(() => new S3ObjectStore({ bucket: 'b', keyPrefix: '../' })).toThrow(/prefix/);
  });
});
