/**
 * Starts OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans go over OTLP/HTTP to that
 * collector (the exporter reads the standard OTEL_* variables), Prisma's queries become child
 * spans of the operation or dialer step that ran them. Loaded only then: without it, the API in
 * tracing.ts does nothing and costs nothing. Returns the shutdown (flushes what is buffered).
 */
import type { Config } from './config.ts';

export async function startTracing(config: Config): Promise<(() => Promise<void>) | null> {
  if (!config.tracing) return null;
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    { PrismaInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@prisma/instrumentation'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.tracing.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.tracing.endpoint}/v1/traces` }), { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  return async () => {
    unregister();
    await provider.shutdown();
  };
}
