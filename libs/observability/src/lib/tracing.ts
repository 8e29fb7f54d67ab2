import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';

export { SpanKind, type Span } from '@opentelemetry/api';

/** The samplers of `OTEL_TRACES_SAMPLER` the product supports (all of the specification's built-in ones). */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** Tracing as the standard `OTEL_*` variables configure it (read by @niyanta/config). */
export interface TracingSettings {
  /** Full URL spans are posted to (OTLP/HTTP), e.g. `http://collector:4318/v1/traces`. */
  tracesUrl: string;
  /** Body encoding of the posts (`OTEL_EXPORTER_OTLP_PROTOCOL`). */
  protocol: 'http/protobuf' | 'http/json';
  /** Extra request headers (`OTEL_EXPORTER_OTLP_HEADERS`). */
  headers: Record<string, string>;
  sampler: SamplerName;
  /** Ratio of the `traceidratio` samplers (`OTEL_TRACES_SAMPLER_ARG`). */
  samplerRatio: number;
  /** `OTEL_RESOURCE_ATTRIBUTES`; `service.name` is always the process's own. */
  resourceAttributes: Record<string, string>;
}

function sampler(settings: TracingSettings): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

const propagator = new W3CTraceContextPropagator();

/**
 * The spans of a workload's attempt. The trace context travels as a W3C `traceparent` string —
 * stored with the workload and carried in the assignment — so the API, the leader and the worker
 * each continue the same trace without sharing memory.
 */
export class WorkloadTracer {
  constructor(private readonly tracer: Tracer) {}

  /**
   * Starts a span under `parent` (a `traceparent` string or a span of this process; none: a new
   * trace). `startTime` (epoch ms) backdates it, for work measured before the span was made.
   */
  start(
    name: string,
    parent: string | Span | null | undefined,
    options: { attributes?: Attributes; kind?: SpanKind; startTime?: number } = {},
  ): Span {
    const context =
      parent === null || parent === undefined
        ? ROOT_CONTEXT
        : typeof parent === 'string'
          ? propagator.extract(ROOT_CONTEXT, { traceparent: parent }, defaultTextMapGetter)
          : trace.setSpan(ROOT_CONTEXT, parent);
    return this.tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, startTime: options.startTime }, context);
  }

  /** The `traceparent` that continues `span` in another process (null when it is not sampled). */
  traceparent(span: Span): string | null {
    if (!span.isRecording()) return null;
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return carrier['traceparent'] ?? null;
  }

  /** Ends `span`, marked as failed when `error` is given. */
  end(span: Span, error?: unknown): void {
    if (error !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    span.end();
  }
}

let active: { tracer: WorkloadTracer; provider: BasicTracerProvider } | null = null;

/**
 * The process's tracer, or null when tracing is off — the only cost tracing adds to a workload
 * then is this null check.
 */
export function workloadTracer(): WorkloadTracer | null {
  return active?.tracer ?? null;
}

/**
 * Starts exporting spans over OTLP/HTTP as `serviceName` (`coordinator-api`, `coordinator-leader`,
 * `worker`, `standalone`). With null settings nothing starts. The returned function flushes the
 * spans still buffered and stops; call it at shutdown.
 */
export function startTracing(settings: TracingSettings | null, serviceName: string): () => Promise<void> {
  if (settings === null) return async () => undefined;
  if (active !== null) throw new Error('tracing is already started in this process');
  const Exporter = settings.protocol === 'http/json' ? OtlpJsonTraceExporter : OtlpProtobufTraceExporter;
  const exporter = new Exporter({ url: settings.tracesUrl, headers: settings.headers });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': serviceName }),
    sampler: sampler(settings),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  const started = { tracer: new WorkloadTracer(provider.getTracer('niyanta')), provider };
  active = started;
  return async () => {
    if (active === started) active = null;
    await provider.shutdown();
  };
}
