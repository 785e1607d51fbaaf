/**
 * A connection's `base_url` is what the provider's own SDK takes as its base URL; the adapter appends the API
 * version and path. Connections saved before that rule stored the version in the URL (Anthropic `…/v1`, Gemini
 * `…/v1beta`, Vertex `…/v1`, Azure without `/openai` is the other way round): `versioned` recognizes a base that
 * already ends in its version segment, which is then used as it is.
 */
export function versionedBase(configured: string | null, sdkDefault: string, version: string, versioned: RegExp): string {
  const base = (configured ?? sdkDefault).replace(/\/+$/, '');
  return versioned.test(base) ? base : `${base}/${version}`;
}
