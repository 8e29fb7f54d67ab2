import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOperation, ApiQuery, ApiResponse, ApiTags, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { ALL_WORKLOAD_STATUSES, DomainError, ErrorCode } from '@niyanta/models';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiErrors } from '../errors/api-errors.decorator';
import { MAX_STREAM_IDS } from './stream-filter';
import { StreamSnapshotMessageDto, StreamUpdateMessageDto, WorkloadUpdateDto } from './stream-message.dto';
import { DEFAULT_STREAM_OPTIONS, STREAM_SUBPROTOCOL, StreamCloseCode } from './stream.options';

/** Name of the component schema of a stream message (snapshot or update, told apart by `type`). */
export const STREAM_MESSAGE_SCHEMA = 'StreamMessage';

/** The `StreamMessage` component: one of the two message types, discriminated by `type`. */
export function streamMessageSchema(): SchemaObject {
  return {
    description: 'A message of `GET /v1/stream`: the opening snapshot, then updates.',
    oneOf: [{ $ref: getSchemaPath(StreamSnapshotMessageDto) }, { $ref: getSchemaPath(StreamUpdateMessageDto) }],
    discriminator: {
      propertyName: 'type',
      mapping: { snapshot: getSchemaPath(StreamSnapshotMessageDto), update: getSchemaPath(StreamUpdateMessageDto) },
    },
  };
}

const DESCRIPTION = `A WebSocket (\`Upgrade: websocket\`) carrying live updates of the caller's workloads, from every API replica, the leader and the workers.

**Authentication** as on every /v1 route: \`Authorization: Bearer <key>\` on the upgrade request. Browsers, which cannot set headers on a WebSocket, offer the subprotocols \`${STREAM_SUBPROTOCOL}\` and \`bearer.<key>\` instead (\`new WebSocket(url, ['${STREAM_SUBPROTOCOL}', 'bearer.' + key])\`); the server selects \`${STREAM_SUBPROTOCOL}\` and never echoes the key. Keys in the query string are not accepted. A refused upgrade is a plain HTTP answer in the usual error shape (400, 401, 403, 429 with Retry-After, 503); opening a connection counts as one request against the rate limit.

**Messages** (JSON text frames, schema \`StreamMessage\`): first one \`snapshot\` with the matching workloads as they are now (newest first, at most ${DEFAULT_STREAM_OPTIONS.snapshotLimit}; \`truncated\` says more matched), then an \`update\` for every later change. There is no gap between the two: the server subscribes before it reads the snapshot and only sends changes newer than what the snapshot showed. Per workload, updates never go backwards (a late, superseded event is dropped). Without \`status\` or \`ids\` the snapshot holds unfinished workloads only; updates include finishing ones.

**Filters**: \`status\` applies to the state being reported (with \`status=RUNNING\` you see workloads start, not finish).

**Liveness**: the server pings every ${DEFAULT_STREAM_OPTIONS.pingIntervalMs / 1000} s and drops a client that missed the previous ping. Close codes: ${StreamCloseCode.GoingAway} server shutting down (reconnect), ${StreamCloseCode.InternalError} snapshot failed (reconnect later), ${StreamCloseCode.TryAgainLater} too many events during the snapshot, ${StreamCloseCode.Unauthorized} key revoked or expired, ${StreamCloseCode.Forbidden} customer suspended, ${StreamCloseCode.SlowConsumer} slow consumer (more than ${DEFAULT_STREAM_OPTIONS.maxBufferedBytes / (1024 * 1024)} MiB unsent). After a reconnect the new snapshot brings the client up to date.

A plain GET without the upgrade is answered 400.`;

/** Documents `GET /v1/stream` and answers requests that arrive without the WebSocket upgrade. */
@ApiTags('stream')
@ApiBearerAuth('api_key')
@ApiExtraModels(StreamSnapshotMessageDto, StreamUpdateMessageDto, WorkloadUpdateDto)
@UseGuards(ApiKeyGuard)
@Controller('v1/stream')
export class StreamController {
  @Get()
  @ApiOperation({ operationId: 'streamWorkloads', summary: 'Watch workloads live (WebSocket)', description: DESCRIPTION })
  @ApiQuery({
    name: 'ids',
    required: false,
    isArray: true,
    type: String,
    description: `Only these workloads (UUIDs; repeat the parameter or separate with commas; at most ${MAX_STREAM_IDS}). The snapshot then includes finished ones.`,
    example: ['0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f'],
  })
  @ApiQuery({
    name: 'status',
    required: false,
    isArray: true,
    enum: ALL_WORKLOAD_STATUSES,
    enumName: 'WorkloadStatus',
    description: 'Only workloads in these statuses (repeat the parameter or separate with commas).',
    example: ['PENDING', 'RUNNING'],
  })
  @ApiQuery({ name: 'workload_type', required: false, type: String, description: 'Only this workload type.', example: 'sleep' })
  @ApiResponse({
    status: 101,
    description: 'Switching Protocols: the WebSocket is open; each text frame is one `StreamMessage`.',
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${STREAM_MESSAGE_SCHEMA}` } } },
  })
  @ApiErrors(400, 401, 403, 429, 503)
  openStream(): never {
    // The WebSocket upgrade is handled on the HTTP server before routing; only plain GETs get here.
    throw new DomainError(ErrorCode.ValidationFailed, 'GET /v1/stream is a WebSocket: send the request with Upgrade: websocket', [
      { path: 'headers.upgrade', message: 'must be websocket' },
    ]);
  }
}
