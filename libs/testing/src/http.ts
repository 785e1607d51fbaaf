/**
 * A JSON body as `JSON.parse` returns it. Tests and the mock providers read such bodies field by field and assert
 * on them (the mocks reject what the real API would reject), so they keep the parser's own type.
 */
export type ParsedJson = ReturnType<typeof JSON.parse>;

/** Small JSON-over-HTTP helper for tests: status, parsed body, headers and the raw text. */
export interface JsonResponse<T = ParsedJson> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export async function httpJson<T = ParsedJson>(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  // A FormData body goes as multipart (fetch sets the boundary); anything else as JSON.
  const form = init.body instanceof FormData;
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined && !form ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : form || typeof init.body === 'string' ? (init.body as string | FormData) : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: ParsedJson;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}
