import { DomainError, ErrorCode } from '@niyanta/models';

/** Stored checkpoint bytes do not match their hash, or do not decode to JSON. */
export class CheckpointCorruptError extends DomainError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.Internal, `checkpoint is corrupt: ${message}`);
    this.name = 'CheckpointCorruptError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** The codec label names a format or version this build cannot read. */
export class UnsupportedCodecError extends DomainError {
  constructor(readonly codec: string) {
    super(ErrorCode.Internal, `unsupported checkpoint codec "${codec}"`);
    this.name = 'UnsupportedCodecError';
  }
}

/** The state a workload returned cannot be stored (not JSON, or larger than allowed). */
export class CheckpointStateError extends DomainError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.ValidationFailed, message);
    this.name = 'CheckpointStateError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
