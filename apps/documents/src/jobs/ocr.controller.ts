import { Readable } from 'node:stream';
import { Controller, Headers, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { errorBodyFor, FamilyExceptionFilter, toErrorResponse } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import { DynamiqOcrService, type DynamiqAnswer, type DynamiqStreamEvent } from '@switchyard/documents';
import { uploadSourceOf } from './upload.adapter';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * Dynamiq-compatible synchronous routes: multipart `file` + `options` JSON string. Every error (auth included)
 * leaves in Dynamiq's envelope `{"error":{"code","message","details"}}`; `options.stream: true` answers SSE.
 */
@Controller('v1/ocr')
@UseFilters(new FamilyExceptionFilter('dynamiq'))
export class OcrController {
  constructor(
    private readonly ocr: DynamiqOcrService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Post('parse')
  @HttpCode(200)
  async parse(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return send(req, reply, await this.ocr.parse(principal, project, uploadSourceOf(req, this.config.limits.bodyIdleTimeoutMs)));
  }

  @Post('extract')
  @HttpCode(200)
  async extract(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return send(req, reply, await this.ocr.extract(principal, project, uploadSourceOf(req, this.config.limits.bodyIdleTimeoutMs)));
  }
}

/** The JSON body, or the events as SSE (`event: progress` ... then `event: result`, or `event: error` in Dynamiq's envelope). */
function send<T>(req: FastifyRequest, reply: FastifyReply, answer: DynamiqAnswer<T>): T | Readable {
  if (!answer.stream) return answer.body;
  void reply.headers(SSE_HEADERS);
  // Fastify streams it (and ends the generator when the client leaves).
  return Readable.from(sseText(req, answer.events), { objectMode: false });
}

async function* sseText(req: FastifyRequest, events: AsyncIterable<DynamiqStreamEvent>): AsyncGenerator<string> {
  try {
    for await (const e of events) yield sseEvent(e.event, e.data);
  } catch (err) {
    const error = toErrorResponse(err, req.id);
    if (error.internal) req.log.error({ err, reqId: req.id }, 'ocr stream failed');
    yield sseEvent('error', errorBodyFor('dynamiq', error, req.id));
  }
}

const sseEvent = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
