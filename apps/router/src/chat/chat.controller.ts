import { Body, Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, TenantDirectory } from '@switchyard/auth';
import { ProviderStreamError } from '@switchyard/providers';
import { ClientAbortedError, GatewayClient, type ExecutionMeta } from '@switchyard/routing';
import { GatewayError, type Principal } from '@switchyard/types';
import { endWithError, SSE_DONE, writeChunk } from './sse';
import { ModelsService } from './models.service';

/** The OpenAI-compatible surface: `POST /v1/chat/completions` and `GET /v1/models`. */
@Controller('v1')
export class ChatController {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly directory: TenantDirectory,
    private readonly models: ModelsService,
  ) {}

  @Get('models')
  async listModels(@CurrentPrincipal() principal: Principal) {
    if (principal.kind !== 'key') return { object: 'list', data: [] };
    return { object: 'list', data: await this.models.list(principal.organizationId) };
  }

  @Post('chat/completions')
  @HttpCode(200)
  async chatCompletions(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers() headers: Record<string, string | undefined>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (principal.kind !== 'key') throw new GatewayError(403, 'permission_error', 'key_required', 'Chat completions need an access key, not the admin token.');
    const project = await this.directory.projectFor(principal, headers['x-gateway-project']);
    const abort = new AbortController();
    // A client that disconnects aborts the upstream request.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    void reply.header('x-gateway-request-id', req.id);
    let result;
    try {
      result = await this.gateway.execute({ organizationId: principal.organizationId, projectId: project.id, keyId: principal.keyId }, body, headers, abort.signal);
    } catch (err) {
      if (err instanceof ClientAbortedError) return;
      throw err;
    }
    const gatewayHeaders = responseHeaders(req.id, result.meta);
    if (result.kind === 'completion') {
      await reply.headers(gatewayHeaders).type('application/json').send(result.completion);
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...gatewayHeaders,
      'x-request-id': req.id,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    for (const chunk of result.head) writeChunk(res, chunk, result.includeUsage);
    try {
      for await (const chunk of result.tail) {
        if (abort.signal.aborted) break;
        writeChunk(res, chunk, result.includeUsage);
      }
      if (!abort.signal.aborted) res.end(SSE_DONE);
    } catch (err) {
      const status = err instanceof ProviderStreamError ? err.status : 502;
      const message = err instanceof Error ? err.message : 'The upstream stream failed.';
      endWithError(
        res,
        new GatewayError(status === 429 ? 429 : 502, 'api_error', 'upstream_stream_error', `The ${result.meta.provider} stream failed after it had started: ${message}`),
      );
    }
  }
}

function responseHeaders(requestId: string, meta: ExecutionMeta): Record<string, string> {
  return {
    'x-gateway-request-id': requestId,
    'x-gateway-provider': meta.provider,
    'x-gateway-model': meta.model,
    'x-gateway-step': String(meta.step),
    'x-gateway-attempts': String(meta.attempts),
  };
}
