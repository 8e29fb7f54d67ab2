import { ConfigError, type ConfigIssue } from './errors';
import type { Env } from './env-schema';

/** `OTEL_TRACES_SAMPLER` values (the specification's built-in samplers). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** `OTEL_EXPORTER_OTLP_PROTOCOL` values spoken; `grpc` needs another transport and is refused at start. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Tracing as the standard OpenTelemetry variables describe it. */
export interface TracingConfig {
  /** Where spans are posted (OTLP/HTTP). */
  tracesUrl: string;
  /** Body encoding of the posts; `http/protobuf` when unset, as the specification says. */
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  sampler: TraceSampler;
  samplerRatio: number;
  resourceAttributes: Record<string, string>;
}

/** The collector's default OTLP/HTTP address when only `OTEL_TRACES_EXPORTER=otlp` is set. */
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

/** `key=value,key=value` with percent-encoded values (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
function keyValues(text: string | undefined, variable: string, issues: ConfigIssue[]): Record<string, string> {
  const result: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return result;
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    const key = at > 0 ? part.slice(0, at).trim() : '';
    if (key === '') {
      issues.push({ variable, message: `expected key=value pairs separated by commas, got "${part}"` });
      continue;
    }
    try {
      result[key] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      issues.push({ variable, message: `the value of "${key}" is not percent-encoded correctly` });
    }
  }
  return result;
}

/**
 * Tracing from the standard `OTEL_*` variables, or null (off: no SDK is started) when neither an
 * OTLP endpoint nor `OTEL_TRACES_EXPORTER=otlp` is set, when `OTEL_TRACES_EXPORTER=none`, or when
 * `OTEL_SDK_DISABLED=true`. Spans go over OTLP/HTTP with JSON bodies; other protocols are refused
 * at start rather than silently ignored.
 */
export function loadTracingConfig(env: Env, app: string): TracingConfig | null {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  const issues: ConfigIssue[] = [];
  const exporter = value('OTEL_TRACES_EXPORTER')?.toLowerCase();
  const tracesEndpoint = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = value('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (exporter === 'none') return null;
  if (exporter !== undefined && exporter !== 'otlp') {
    throw new ConfigError(app, [{ variable: 'OTEL_TRACES_EXPORTER', message: `expected otlp or none, got "${exporter}"` }]);
  }
  if (exporter === undefined && tracesEndpoint === undefined && endpoint === undefined) return null;

  const protocolVariable = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = value(protocolVariable);
  const otlpProtocol = OTLP_PROTOCOLS.find((name) => name === (protocol ?? 'http/protobuf'));
  if (otlpProtocol === undefined) {
    issues.push({ variable: protocolVariable, message: `expected ${OTLP_PROTOCOLS.join(' or ')}, got "${protocol}"` });
  }
  const tracesUrl = tracesEndpoint ?? `${(endpoint ?? DEFAULT_OTLP_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  try {
    const url = new URL(tracesUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    issues.push({
      variable: tracesEndpoint !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
      message: `expected an http(s) URL, got "${tracesEndpoint ?? endpoint}"`,
    });
  }
  const samplerText = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  const sampler = TRACE_SAMPLERS.find((name) => name === samplerText);
  if (sampler === undefined) {
    issues.push({ variable: 'OTEL_TRACES_SAMPLER', message: `expected one of ${TRACE_SAMPLERS.join(', ')}, got "${samplerText}"` });
  }
  const ratioText = value('OTEL_TRACES_SAMPLER_ARG');
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
    issues.push({ variable: 'OTEL_TRACES_SAMPLER_ARG', message: `expected a ratio from 0 to 1, got "${ratioText}"` });
  }
  const headers = {
    ...keyValues(value('OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS', issues),
    ...keyValues(value('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', issues),
  };
  const resourceAttributes = keyValues(value('OTEL_RESOURCE_ATTRIBUTES'), 'OTEL_RESOURCE_ATTRIBUTES', issues);
  if (issues.length > 0) throw new ConfigError(app, issues);
  return { tracesUrl, protocol: otlpProtocol as OtlpProtocol, headers, sampler: sampler as TraceSampler, samplerRatio, resourceAttributes };
}
