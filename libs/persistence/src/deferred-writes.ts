import type { Redis } from 'ioredis';

/** The longest a deferred write waits for a write that must go at once before it goes out alone. */
export const DEFERRED_WRITE_MS = 5;

/**
 * Redis writes that need not go out at once (a call's settlement, its cache fill: both after the answer, off the
 * response path), held until the next write on the same client that must go at once (a reservation, a cache look:
 * `flush`), so that both leave in one socket write and their replies come back in one read, or until
 * `DEFERRED_WRITE_MS` has passed. Under load a governed call then costs the shared client one round trip, not two
 * (docs/governance.md). Order is kept: what was deferred is sent before the write that flushes it, so Redis applies
 * a settlement before this process's next reservation.
 */
export class DeferredWrites {
  private queue: (() => Promise<void>)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly onTimer = () => this.flush();

  constructor(private readonly delayMs = DEFERRED_WRITE_MS) {}

  /** `send` (which issues the write) is called at the next flush; the promise settles as its write does. */
  later<T>(send: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => send().then(resolve, reject));
      this.timer ??= setTimeout(this.onTimer, this.delayMs);
    });
  }

  /** Issues every deferred write now, in the order deferred (in the caller's tick: pipelined with what it sends next). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.queue.length) return;
    const queue = this.queue;
    this.queue = [];
    for (const send of queue) void send();
  }

  /** Flushes and waits until every deferred write has been answered (shutdown, before the client quits). */
  async drain(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    this.flush();
    await Promise.all(queue.map((send) => send()));
  }
}

const ofClient = new WeakMap<Redis, DeferredWrites>();

/** The deferred writes of one Redis client, shared by everything that writes through it. */
export function deferredWrites(redis: Redis): DeferredWrites {
  let writes = ofClient.get(redis);
  if (!writes) ofClient.set(redis, (writes = new DeferredWrites()));
  return writes;
}
