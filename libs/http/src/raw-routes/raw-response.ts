import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { closeAfterAnswer } from '../body/unread-body';
import { errorBodyFor, type ErrorFamily } from '../errors/error-family';
import { toErrorResponse } from '../errors/error-response';

/** Sends a JSON answer with its length (one write). */
export function writeJson(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

/** Sends an error in the route family's shape (default OpenAI); once a response has begun, the connection is cut instead. */
export function writeError(res: ServerResponse, requestId: string, err: unknown, logger: Logger, family: ErrorFamily = 'openai'): void {
  const answer = toErrorResponse(err, requestId);
  if (answer.internal) logger.error({ err, reqId: requestId }, 'unhandled error');
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  closeAfterAnswer(res.req, res);
  writeJson(res, answer.status, { ...answer.headers }, JSON.stringify(errorBodyFor(family, answer, requestId)));
}
