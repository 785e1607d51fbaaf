/** The tenant an LLM call acts for: metered and logged against it (the router's requests and the documents worker's calls). */
export interface CallContext {
  organizationId: string;
  projectId: string;
  keyId: string | null;
}
