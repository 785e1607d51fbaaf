import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface RecordedChat {
  body: any;
  /** Decoded images of `image_url` data-URL parts, in order. */
  images: { mime: string; data: Buffer }[];
  /** The text of the user message parts. */
  text: string;
}

export type ChatReply = { status?: number; content?: string; body?: unknown; delayMs?: number };

/**
 * A loopback server speaking the OpenAI chat completions wire format, recording each request
 * (with its images decoded) and answering with whatever `reply` returns.
 */
export class MockVisionServer {
  readonly requests: RecordedChat[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private reply: (req: RecordedChat, n: number) => ChatReply | Promise<ChatReply> = () => ({ content: '' })) {}

  setReply(reply: (req: RecordedChat, n: number) => ChatReply | Promise<ChatReply>): void {
    this.reply = reply;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: err.message, type: 'server_error' } }));
        },
      );
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    const { port: p } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${p}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return { status: 404, body: { error: { message: 'not found' } } };
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const images: RecordedChat['images'] = [];
    let text = '';
    for (const m of body.messages ?? []) {
      if (m.role !== 'user') continue;
      if (typeof m.content === 'string') text += m.content;
      else
        for (const part of m.content ?? []) {
          if (part.type === 'text') text += part.text;
          if (part.type === 'image_url') {
            const match = /^data:([^;]+);base64,(.*)$/s.exec(part.image_url?.url ?? '');
            if (match) images.push({ mime: match[1]!, data: Buffer.from(match[2]!, 'base64') });
          }
        }
    }
    const rec: RecordedChat = { body, images, text };
    this.requests.push(rec);
    const r = await this.reply(rec, this.requests.length);
    if (r.delayMs) await new Promise((res) => setTimeout(res, r.delayMs));
    if (r.status && r.status >= 400) return { status: r.status, body: r.body ?? { error: { message: `mock error ${r.status}`, type: 'server_error' } } };
    return {
      status: 200,
      body: r.body ?? {
        id: `chatcmpl-mock-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: r.content ?? '' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      },
    };
  }
}
