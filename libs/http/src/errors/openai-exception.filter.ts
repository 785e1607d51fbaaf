import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { closeAfterAnswer } from '../body/unread-body';
import { errorBodyFor, type ErrorFamily } from './error-family';
import { toErrorResponse } from './error-response';

/** One filter per app: every error leaves as `{"error":{message,type,param,code}}` with its status. */
@Catch()
export class OpenAIExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendError(reply, request, exception, this.logger);
  }
}

/**
 * The filter of a route family that answers in another shape than OpenAI's (`@UseFilters(new FamilyExceptionFilter('dynamiq'))`
 * on its controller): it also catches the auth guard's errors, so every error of those routes has the family's shape.
 */
@Catch()
export class FamilyExceptionFilter implements ExceptionFilter {
  constructor(private readonly family: ErrorFamily) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    sendError(ctx.getResponse<FastifyReply>(), request, exception, request.log as unknown as Logger, this.family);
  }
}

/** Writes `exception` in the route family's error shape (default OpenAI); a body still arriving is not left on the connection. */
export function sendError(reply: FastifyReply, request: FastifyRequest, exception: unknown, logger: Logger, family: ErrorFamily = 'openai'): void {
  const res = toErrorResponse(exception, request.id);
  if (res.internal) logger.error({ err: exception, reqId: request.id }, 'unhandled error');
  if (reply.sent || reply.raw.headersSent) {
    // A streaming response has begun: nothing more can be said in HTTP terms.
    if (!reply.raw.writableEnded) reply.raw.destroy();
    return;
  }
  closeAfterAnswer(request.raw, reply.raw);
  void reply.code(res.status).headers(res.headers).type('application/json').send(errorBodyFor(family, res, request.id));
}
