/** The tenant an LLM call acts for: metered and logged against it (the router's requests and the documents worker's calls). */
export interface CallContext {
  organizationId: string;
  projectId: string;
  keyId: string | null;
  /** The document job a call is made for (the documents worker's calls), recorded in the call's log. */
  documentJobId?: string;
  /** The trace the call's spans join (the document page's or job's span as parent), when the job is traced. */
  trace?: { traceId: string; parentSpanId: string | null; flags: number };
}
