import { EventEmitter } from 'node:events';

/**
 * Cancellation for the request path: the client went away, or an attempt timed out.
 *
 * Not an AbortController because of what Node 20 does with AbortSignal listeners: once a listener is
 * added to an AbortSignal (even if removed again), the signal and everything the listener reaches
 * survive young-generation collections and are promoted to old space. With one signal per request
 * and one per upstream attempt, that promoted every request's graph (undici request, parsed body,
 * closures): old space grew by megabytes a second and full collections of 10-40 ms came every few
 * seconds (measured with bench/router-overhead and --trace-gc-nvp). An EventEmitter has no such cost,
 * and undici takes one as a request `signal` (it reads `aborted` and `reason` and listens for 'abort').
 */
export class Cancellation extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** Calls `fn` once when aborted (at once if already aborted); returns what stops listening. */
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return noop;
    }
    this.once('abort', fn);
    return () => this.removeListener('abort', fn);
  }

  /**
   * Runs `work` with a Cancellation that follows `signal`, for callers off the hot path that hold an
   * AbortSignal (the documents worker's job cancellation); stops following when `work` settles.
   */
  static async following<T>(signal: AbortSignal | undefined, work: (cancel: Cancellation) => Promise<T>): Promise<T> {
    const cancel = new Cancellation();
    if (!signal) return work(cancel);
    const onAbort = () => cancel.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await work(cancel);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function noop(): void {
  // nothing to stop
}
