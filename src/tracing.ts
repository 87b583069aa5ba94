/**
 * Spans (OpenTelemetry API only: without an SDK registered — OTEL_EXPORTER_OTLP_ENDPOINT unset —
 * every call here is a no-op). Attributes carry ids (campaign, call, attempt), never phone
 * numbers or names. The SDK is started by tracing-sdk.ts.
 */
import { type Attributes, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

export const tracer = trace.getTracer('callboard');

/** Runs `work` in a new active span (children nest under it), ending it and recording a failure. */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs `work` with `span` as the active span (for code that cannot be wrapped by inSpan). */
export function withSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}
