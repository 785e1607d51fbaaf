import { Logger } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { Redis } from 'ioredis';

export interface RedisChannelOptions<E> {
  /** Channel name under REDIS_PREFIX, e.g. `gateway-events`. */
  name: string;
  /** Client name of the subscriber connection (CLIENT LIST). */
  connectionName: string;
  /** Connection to publish on; the channel opens (and closes) its own when none is given. */
  publisher?: Redis;
  /** Checks a received message; null drops it. */
  accept: (message: unknown) => E | null;
}

/**
 * One Redis pub/sub channel under REDIS_PREFIX, with resync: delivery is at most once, so when the
 * subscription comes back after a lost connection (once it is subscribed again), `onResync` handlers run:
 * events may have been missed, and subscribers drop or re-check what they hold. Messages are JSON.
 */
export class RedisChannel<E> {
  private readonly logger: Logger;
  readonly channel: string;
  private subscriber: Redis | undefined;
  private publisher: Redis | undefined;
  private readonly ownsPublisher: boolean;
  private readonly handlers = new Set<(event: E) => void>();
  private readonly resyncHandlers = new Set<() => void>();

  constructor(
    private readonly config: Pick<AppConfig, 'redis'>,
    private readonly options: RedisChannelOptions<E>,
  ) {
    this.channel = `${config.redis.prefix}:${options.name}`;
    this.logger = new Logger(`RedisChannel ${options.name}`);
    this.publisher = options.publisher;
    this.ownsPublisher = !options.publisher;
  }

  /** Subscribes; resolves once the subscription is confirmed. */
  async start(): Promise<void> {
    if (this.subscriber) return;
    const sub = this.connect(this.options.connectionName);
    this.subscriber = sub;
    this.publisher ??= this.connect(`${this.options.connectionName}-pub`);
    let lost = false;
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    sub.on('close', () => (lost = true));
    sub.on('ready', () => {
      if (!lost) return;
      lost = false;
      // ioredis resubscribes on its own; subscribing again resolves once the server has confirmed it.
      sub.subscribe(this.channel).then(
        () => {
          this.logger.warn('subscription reconnected; events may have been missed: resynchronizing');
          this.resync();
        },
        (err: unknown) => this.logger.warn(`resubscribe failed: ${(err as Error).message}`),
      );
    });
    await sub.subscribe(this.channel);
  }

  subscribe(handler: (event: E) => void): void {
    this.handlers.add(handler);
  }

  onResync(handler: () => void): void {
    this.resyncHandlers.add(handler);
  }

  /** Publishes to every subscriber (this process's included, on its echo). Rejects when Redis cannot take it. */
  async publish(event: E): Promise<void> {
    this.publisher ??= this.connect(`${this.options.connectionName}-pub`);
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  /** Runs this process's handlers now, without waiting for the echo of a publish. */
  dispatch(event: E): void {
    for (const h of this.handlers) this.guarded(() => h(event));
  }

  /** Runs the resync handlers now (e.g. on shutdown, so nobody waits for an event that will not come). */
  resync(): void {
    for (const h of this.resyncHandlers) this.guarded(h);
  }

  async close(): Promise<void> {
    const conns = [this.subscriber, this.ownsPublisher ? this.publisher : undefined].filter((c): c is Redis => !!c);
    this.subscriber = undefined;
    if (this.ownsPublisher) this.publisher = undefined;
    await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private receive(message: string): void {
    let event: E | null;
    try {
      event = this.options.accept(JSON.parse(message));
    } catch {
      return;
    }
    if (event !== null) this.dispatch(event);
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error(`handler failed: ${(err as Error).message}`);
    }
  }

  private connect(name: string): Redis {
    return new Redis(this.config.redis.url, {
      connectionName: name,
      retryStrategy: (times) => Math.min(100 * times, 2000),
      enableAutoPipelining: false,
    });
  }
}
