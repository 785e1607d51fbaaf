import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { closeAfterAnswer } from '../body/unread-body';
import { toErrorResponse } from '../errors/error-response';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { v4Failure } from './v4-envelope';

/**
 * The management API's errors (DESIGN.md section 13): the same mapping as every other route (toErrorResponse, so
 * internals never leave), answered in the Cloudflare V4 envelope with `success: false` and `errors[]`.
 */
@Catch()
export class V4ExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const res = toErrorResponse(exception, request.id);
    if (res.internal) request.log.error({ err: exception, reqId: request.id }, 'unhandled error');
    closeAfterAnswer(request.raw, reply.raw);
    void reply.code(res.status).headers(res.headers).type('application/json').send(v4Failure(res.status, res.body.error.message, res.body.error.param));
  }
}
