// The s3rver fork ships no type declarations; this covers the part the S3 test server uses.
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: Array<{ name: string }>;
  }

  /** Koa middleware as s3rver's app stores it. */
  type Middleware = (ctx: S3rverContext, next: () => Promise<unknown>) => unknown;

  interface S3rverContext {
    path: string;
    mountPath?: string;
    state: { vhost?: boolean };
  }

  class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware list, composed when the server starts listening. */
    middleware: Middleware[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }

  export = S3rver;
}
