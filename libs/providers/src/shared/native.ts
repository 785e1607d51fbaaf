import type { Usage } from '@switchyard/types';
import type { SseUsageReader, UpstreamCall, UpstreamRequest } from '../types';

/**
 * One native (pass-through) call: a stream is passed to the client as it arrives, its usage read from the events;
 * a JSON answer goes back as the provider sent it, its usage read from the body.
 */
export function nativeCall(upstream: UpstreamRequest, stream: boolean, usage: { events: () => SseUsageReader; body: (body: unknown) => Usage | null }): UpstreamCall {
  return stream
    ? { read: 'raw', request: upstream, sseUsage: usage.events() }
    : { read: 'json', requests: [upstream], combine: ([answer]) => ({ body: answer!.body, usage: usage.body(answer!.body) }) };
}

/** The JSON headers of a native call, streamed or not. */
export const nativeHeaders = (stream: boolean): Record<string, string> => ({ 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' });
