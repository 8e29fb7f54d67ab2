import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DomainError, ErrorCode, NotFoundError } from '@niyanta/models';
import { CheckpointObjectStore, isValidObjectKey, type StoredObjectInfo } from './checkpoint-object-store.port';

/** Options of {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions {
  /** Bucket that holds the objects; it must exist. */
  bucket: string;
  /** Region used to sign requests. @default 'us-east-1' */
  region?: string;
  /** Endpoint of an S3-compatible service (MinIO, Ceph, a test server); AWS's own when absent. */
  endpoint?: string;
  /** Static credentials; without them the SDK's default chain (environment, profile, instance role) applies. */
  accessKeyId?: string;
  /** Goes with `accessKeyId`. */
  secretAccessKey?: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key` (most self-hosted services want it). @default false */
  forcePathStyle?: boolean;
  /** Prepended to every key, so that deployments can share a bucket (for example `prod/`). @default '' */
  keyPrefix?: string;
  /** Attempts per request (the SDK retries throttling and transient network errors). @default 3 */
  maxAttempts?: number;
}

/**
 * {@link CheckpointObjectStore} on Amazon S3 or an S3-compatible service (AWS SDK v3). A single
 * PUT is atomic on the server (readers see the old or the new object) and checkpoint objects stay
 * far below its 5 GiB limit (the codec caps states at 256 MiB), so no multipart upload is needed.
 */
export class S3ObjectStore extends CheckpointObjectStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;

  constructor(options: S3ObjectStoreOptions) {
    super();
    if (options.bucket.trim() === '') throw new Error('S3 object store: bucket must not be empty');
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      throw new Error('S3 object store: give both accessKeyId and secretAccessKey, or neither');
    }
    this.bucket = options.bucket;
    this.keyPrefix = options.keyPrefix ?? '';
    if (this.keyPrefix !== '' && !isValidObjectKey(`${this.keyPrefix}x`)) {
      throw new Error(`S3 object store: invalid key prefix "${this.keyPrefix}"`);
    }
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      maxAttempts: options.maxAttempts ?? 3,
      credentials:
        options.accessKeyId !== undefined && options.secretAccessKey !== undefined
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
    });
  }

  async put(key: string, data: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: data,
        ContentLength: data.length,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async get(key: string): Promise<Buffer> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (response.Body === undefined) throw new Error(`S3 returned no body for ${key}`);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if (isMissingKey(error)) throw new NotFoundError('checkpoint object', key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for a missing key as well: deleting is idempotent.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${this.keyPrefix}${prefix}`,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(this.keyPrefix)) continue;
        yield {
          key: object.Key.slice(this.keyPrefix.length),
          sizeBytes: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  /** The bucket exists and these credentials may use it. */
  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  override async close(): Promise<void> {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    if (!isValidObjectKey(key)) {
      throw new DomainError(ErrorCode.ValidationFailed, `invalid checkpoint object key "${key}"`);
    }
    return `${this.keyPrefix}${key}`;
  }
}

function isMissingKey(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404) &&
    error.name !== 'NoSuchBucket'
  );
}
