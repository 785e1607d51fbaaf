import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused request's connection keeps reading (and discarding) what the client still sends. */
export const LINGER_MS = 5_000;

type LingeringSocket = Socket & { destroySoon?: () => void; swLingering?: boolean };

/**
 * Call before answering a request whose body may still be arriving (an early refusal: 401, 408, 413,
 * 415, a parse error mid-stream). A keep-alive connection would be left with the rest of that body in
 * front of the client's next request, which then never gets an answer; so the answer says
 * `Connection: close`. And since closing a socket the client is still writing to makes the kernel
 * reset it (the client sees EPIPE or ECONNRESET instead of the answer), the connection lingers: once
 * the answer is written, our side is half-closed and what still arrives is read and discarded for at
 * most LINGER_MS, then the socket is destroyed (bounded: a client cannot hold it open longer).
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  if (!res.headersSent) res.setHeader('connection', 'close');
  req.unpipe();
  req.resume();
  const socket = req.socket as LingeringSocket | null;
  if (!socket || socket.destroyed || socket.swLingering) return;
  socket.swLingering = true;
  // Node's server ends a `Connection: close` response with socket.destroySoon(): end, then destroy as
  // soon as our side is flushed, while the client may still be sending. Linger instead.
  socket.destroySoon = () => {
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    socket.end();
    req.resume();
  };
}
