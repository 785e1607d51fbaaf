import type { ServerResponse } from 'node:http';
import type { AnswerGate } from '@switchyard/metering';

/**
 * A response's end held while its log record is on its way to Redis (the `AnswerGate` the LogAppender holds): while
 * held, `res.end(...)` is kept (the headers and last bytes of the answer go nowhere yet) and done at `uncork`, after
 * the record's XADD was written. (Corking the socket would not do: Node uncorks a socket fully on `end()`.)
 */
export class HeldEnd implements AnswerGate {
  private holding = false;
  private held: Parameters<ServerResponse['end']> | null = null;

  constructor(private readonly res: ServerResponse) {}

  cork(): void {
    if (this.holding || this.res.writableEnded) return;
    this.holding = true;
    this.res.end = ((...args: Parameters<ServerResponse['end']>) => {
      this.held = args;
      return this.res;
    }) as ServerResponse['end'];
  }

  uncork(): void {
    if (!this.holding) return;
    this.holding = false;
    // The prototype's end again.
    delete (this.res as Partial<Pick<ServerResponse, 'end'>>).end;
    const args = this.held;
    this.held = null;
    if (args) this.res.end(...args);
  }
}
