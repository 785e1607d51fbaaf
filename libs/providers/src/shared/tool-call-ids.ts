/**
 * Gemini 3 returns a `thoughtSignature` with its function calls and requires it back on the same call in the
 * next turn. OpenAI clients send back only what the wire format has, so the signature travels inside the tool
 * call id (`<id>__thought__<signature as base64url>`), which every OpenAI client returns verbatim in the
 * assistant message and the tool message. Other providers see the plain `<id>` (their id rules are stricter:
 * Bedrock allows 64 characters, OpenAI 40), so a conversation can still fail over across providers.
 */
const MARKER = '__thought__';

export function toolCallIdWithSignature(id: string, thoughtSignature: string | undefined): string {
  if (!thoughtSignature) return id;
  return `${id}${MARKER}${thoughtSignature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export function splitToolCallId(id: string): { id: string; thoughtSignature?: string } {
  const at = id.indexOf(MARKER);
  if (at < 0) return { id };
  const b64 = id.slice(at + MARKER.length).replace(/-/g, '+').replace(/_/g, '/');
  return { id: id.slice(0, at), thoughtSignature: b64 + '='.repeat((4 - (b64.length % 4)) % 4) };
}

/** The id a provider without thought signatures is sent. */
export const plainToolCallId = (id: string): string => splitToolCallId(id).id;
