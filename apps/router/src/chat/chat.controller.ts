import { Body, Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, TenantDirectory } from '@switchyard/auth';
import { ClientAbortedError, GatewayClient, type ExecutionMeta } from '@switchyard/routing';
import { GatewayError, type Principal } from '@switchyard/types';
import { streamToClient } from './sse';
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
    await streamToClient(reply.raw, { ...gatewayHeaders, 'x-request-id': req.id }, result, abort.signal);
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
