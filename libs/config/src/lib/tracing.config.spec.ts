import { ConfigError } from './errors';
import { loadTracingConfig } from './tracing.config';

describe(loadTracingConfig.name, () => {
  it('is off when no OTEL_* variable asks for it, when the exporter is none or the SDK disabled', () => {
    expect(loadTracingConfig({}, 'worker')).toBeNull();
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, 'worker')).toBeNull();
    expect(loadTracingConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, 'worker')).toBeNull();
  });

  it('posts protobuf to <endpoint>/v1/traces with the parent-based always-on sampler by default', () => {
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'worker')).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      resourceAttributes: {},
    });
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'otlp' }, 'worker')?.tracesUrl).toBe('http://localhost:4318/v1/traces');
  });

  it('takes the traces endpoint as is, the sampler, its ratio, headers and resource attributes', () => {
    expect(
      loadTracingConfig(
        {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c/api/traces',
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.25',
          OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20x,x-a=1',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        },
        'worker',
      ),
    ).toEqual({
      tracesUrl: 'https://c/api/traces',
      protocol: 'http/json',
      headers: { authorization: 'Bearer x', 'x-a': '1' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      resourceAttributes: { 'deployment.environment': 'prod' },
    });
  });

  it('refuses what it cannot honour, naming every variable', () => {
    const load = () =>
      loadTracingConfig(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_TRACES_SAMPLER: 'sometimes',
          OTEL_TRACES_SAMPLER_ARG: '2',
        },
        'worker',
      );
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT[\s\S]*OTEL_TRACES_SAMPLER:[\s\S]*OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadTracingConfig({ OTEL_TRACES_EXPORTER: 'zipkin' }, 'worker')).toThrow(/OTEL_TRACES_EXPORTER/);
  });
});
