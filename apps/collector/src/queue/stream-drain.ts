import { Logger } from '@nestjs/common';
import type { StreamConsumer } from './stream-consumer';

/** `[]`: a stream entry without records. */
export const EMPTY_ARRAY = Buffer.from('[]');

/** A statement's JSON is cut at about this many bytes: what one writer lane holds for PostgreSQL at a time. */
export const STATEMENT_BYTES = 8 * 1024 * 1024;

/** PostgreSQL errors that retrying cannot fix (bad data): the entry goes to the dead-letter stream. */
export function isPoisonError(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = typeof e?.driverError?.code === 'string' ? e.driverError.code : typeof e?.code === 'string' ? e.code : '';
  return /^(22|23)/.test(code);
}

/**
 * Drains a stream into PostgreSQL: `lanes` loops, each its own consumer with its own blocking Redis connection
 * (while one waits for PostgreSQL the next batch is already being read), write a batch, then acknowledge it.
 * A batch that fails for a transient reason (PostgreSQL down) is retried with backoff and stays pending in Redis
 * meanwhile; a batch with bad data is written entry by entry and the bad entries dead-lettered. Entries left
 * pending by a dead writer are claimed by the consumer. Writes must be idempotent: a crash between write and
 * ack writes the batch again.
 */
export abstract class StreamDrain<E extends { id: string }> {
  protected readonly logger: Logger;
  private consumers: StreamConsumer<E>[] = [];
  private stopping = false;
  private loops: Promise<void>[] | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(name: string) {
    this.logger = new Logger(name);
  }

  /** A consumer for one lane. */
  protected abstract consumer(lane: number): StreamConsumer<E>;
  /** Stores a batch of entries (idempotently). */
  abstract write(entries: E[]): Promise<void>;

  /** Starts `lanes` loops (once). */
  protected startLanes(lanes: number): void {
    if (this.loops) return;
    this.stopping = false;
    this.loops = Array.from({ length: lanes }, (_, lane) => {
      const consumer = this.consumer(lane);
      this.consumers.push(consumer);
      return this.run(consumer).catch((err: unknown) => this.logger.error(`writer stopped: ${(err as Error).message}`));
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops ?? []);
    this.loops = undefined;
    await Promise.all(this.consumers.map((c) => c.close()));
    this.consumers = [];
  }

  private async run(consumer: StreamConsumer<E>): Promise<void> {
    await consumer.ensureGroup();
    while (!this.stopping) {
      try {
        const entries = await consumer.read();
        if (entries.length) await this.writeUntilDone(consumer, entries);
      } catch (err) {
        if (this.stopping) break;
        this.logger.warn(`queue read failed: ${(err as Error).message}`);
        await this.sleep(1000);
      }
    }
  }

  /** Writes entries, retrying transient failures with backoff until written or shutting down (they stay pending). */
  private async writeUntilDone(consumer: StreamConsumer<E>, entries: E[]): Promise<void> {
    let delay = 200;
    for (;;) {
      try {
        await this.write(entries);
        await consumer.ack(entries);
        return;
      } catch (err) {
        if (isPoisonError(err)) {
          await this.writeOneByOne(consumer, entries);
          return;
        }
        this.logger.warn(`write of ${entries.length} queue entries failed, retrying in ${delay} ms: ${(err as Error).message}`);
        if (this.stopping) return; // still pending: the next writer claims them
        await this.sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async writeOneByOne(consumer: StreamConsumer<E>, entries: E[]): Promise<void> {
    for (const entry of entries) {
      try {
        await this.write([entry]);
      } catch (err) {
        if (!isPoisonError(err)) throw err;
        this.logger.error(`queue entry ${entry.id} cannot be stored (${(err as Error).message}); moved to the dead-letter stream`);
        await consumer.deadLetter(entry, (err as Error).message);
        continue;
      }
      await consumer.ack([entry]);
    }
  }

  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
