import { callTrace, documentTraceId, jobSpan, jobSpanId, pageSpan, pageSpanId } from './document-spans';

const JOB = '0190a6f0-1234-7000-8000-00000000abcd';

describe('document spans', () => {
  it('derive the trace from the job id and the span ids from the job, page and attempt (the same on every replica)', () => {
    expect(documentTraceId(JOB)).toBe('0190a6f012347000800000000000abcd');
    expect(jobSpanId(JOB)).toMatch(/^[0-9a-f]{16}$/);
    expect(jobSpanId(JOB)).toBe(jobSpanId(JOB));
    expect(new Set([jobSpanId(JOB), pageSpanId(JOB, 1, 1), pageSpanId(JOB, 1, 2), pageSpanId(JOB, 2, 1)]).size).toBe(4);
    expect(callTrace(JOB, pageSpanId(JOB, 2, 1))).toEqual({ traceId: documentTraceId(JOB), parentSpanId: pageSpanId(JOB, 2, 1), flags: 1 });
  });

  it('a page span is a child of the job span; a failed one has an error status', () => {
    const s = pageSpan({ jobId: JOB, page: 3, attempt: 2, startMs: 1000, endMs: 1500, method: null, error: 'model_error' });
    expect(s).toMatchObject({ traceId: documentTraceId(JOB), spanId: pageSpanId(JOB, 3, 2), parentSpanId: jobSpanId(JOB), name: 'document page 3', status: { code: 2, message: 'model_error' } });
    expect(s.attributes).toEqual({ 'switchyard.document_job_id': JOB, 'switchyard.document_page': 3, 'switchyard.attempt': 2, 'error.type': 'model_error' });
    expect(s.endNs - s.startNs).toBe(500_000_000n);
  });

  it('the job span is the root; it never ends before it starts', () => {
    const s = jobSpan({ jobId: JOB, type: 'extract', startMs: 2000, endMs: 1999, status: 'succeeded', pages: null, errorCode: null });
    expect(s).toMatchObject({ parentSpanId: null, spanId: jobSpanId(JOB), name: 'document extract', status: { code: 0 } });
    expect(s.endNs).toBe(s.startNs);
  });
});
