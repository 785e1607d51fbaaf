import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Incremental Server-Sent Events decoding over raw bytes (UTF-8 split across chunks handled). */
export class SseDecoder {
  private readonly decoder = new TextDecoder();
  private events: EventSourceMessage[] = [];
  private readonly parser = createParser({ onEvent: (e) => this.events.push(e) });

  push(bytes: Uint8Array): EventSourceMessage[] {
    this.parser.feed(this.decoder.decode(bytes, { stream: true }));
    const out = this.events;
    this.events = [];
    return out;
  }

  end(): EventSourceMessage[] {
    this.parser.feed(this.decoder.decode() + '\n\n');
    const out = this.events;
    this.events = [];
    return out;
  }
}
