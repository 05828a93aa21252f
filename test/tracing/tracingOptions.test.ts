/** How the OTLP encoding is chosen from the standard variables. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

describe('the OTLP protocol of traces', () => {
  it('is http/protobuf by default, as the OTLP specification says', () => {
    expect(loadConfig(ENDPOINT).tracing).toEqual({ enabled: true, protocol: 'http/protobuf' });
  });

  it('takes the signal’s own variable over the general one', () => {
    const env = { ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' };
    expect(loadConfig(env).tracing.protocol).toBe('http/json');
    expect(loadConfig({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).tracing.protocol).toBe('http/json');
  });

  it('refuses grpc at start, naming the variable', () => {
    expect(() => loadConfig({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, http\/json/,
    );
  });
});
