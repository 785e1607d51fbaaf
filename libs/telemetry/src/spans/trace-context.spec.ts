import { newSpanId, newTraceContext, parseTraceContext, traceparentOf } from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceContext', () => {
  it('reads a W3C traceparent (case and whitespace tolerated) and its sampled flag', () => {
    expect(parseTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01` })).toEqual({ traceId: TRACE, parentSpanId: SPAN, flags: 1 });
    expect(parseTraceContext({ traceparent: ` 00-${TRACE.toUpperCase()}-${SPAN}-00 ` })).toEqual({ traceId: TRACE, parentSpanId: SPAN, flags: 0 });
    // A later version is read by its first four fields.
    expect(parseTraceContext({ traceparent: `01-${TRACE}-${SPAN}-01-extra` })).toEqual({ traceId: TRACE, parentSpanId: SPAN, flags: 1 });
  });

  it('ignores a malformed, all-zero or version-ff traceparent (never a refusal) and falls back to the cf-aig-otel headers', () => {
    for (const bad of [`00-${'0'.repeat(32)}-${SPAN}-01`, `00-${TRACE}-${'0'.repeat(16)}-01`, `ff-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01-extra`, 'garbage', `00-${TRACE}-${SPAN}`]) {
      expect(parseTraceContext({ traceparent: bad })).toBeNull();
    }
    expect(parseTraceContext({ traceparent: 'garbage', 'cf-aig-otel-trace-id': TRACE, 'cf-aig-otel-parent-span-id': SPAN })).toEqual({ traceId: TRACE, parentSpanId: SPAN, flags: 1 });
  });

  it("reads Cloudflare's cf-aig-otel-trace-id with an optional parent; traceparent wins when both are sent", () => {
    expect(parseTraceContext({ 'cf-aig-otel-trace-id': TRACE })).toEqual({ traceId: TRACE, parentSpanId: null, flags: 1 });
    expect(parseTraceContext({ 'cf-aig-otel-trace-id': TRACE, 'cf-aig-otel-parent-span-id': 'nothex' })).toEqual({ traceId: TRACE, parentSpanId: null, flags: 1 });
    expect(parseTraceContext({ 'cf-aig-otel-trace-id': 'short' })).toBeNull();
    const other = 'a'.repeat(32);
    expect(parseTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01`, 'cf-aig-otel-trace-id': other })?.traceId).toBe(TRACE);
    expect(parseTraceContext({})).toBeNull();
  });

  it('makes fresh, distinct, non-zero ids and writes traceparent back', () => {
    const ids = new Set(Array.from({ length: 2000 }, newSpanId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    const t = newTraceContext();
    expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parseTraceContext({ traceparent: traceparentOf(t.traceId, SPAN) })).toEqual({ traceId: t.traceId, parentSpanId: SPAN, flags: 1 });
  });
});
