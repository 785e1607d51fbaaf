import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { bearerOf, GatewayAuthGuard, TenantDirectory } from '@switchyard/auth';
import { ClientAbortedError, GatewayClient, type ExecutionMeta } from '@switchyard/routing';
import { sendError } from '@switchyard/telemetry';
import { streamToClient } from './sse';

/**
 * `POST /v1/chat/completions`, the hot path, registered on Fastify directly rather than through a Nest
 * controller: the same guard logic, services and error mapping, without Nest's per-request router
 * pipeline (about a third of the router's CPU per request, measured with bench/router-overhead).
 */
export function registerChatRoute(app: NestFastifyApplication, logger: Logger): void {
  const gateway = app.get(GatewayClient);
  const directory = app.get(TenantDirectory);
  const guard = app.get(GatewayAuthGuard);
  app
    .getHttpAdapter()
    .getInstance()
    .post('/v1/chat/completions', async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        const principal = await guard.authenticate('key', bearerOf(req.headers));
        if (principal.kind !== 'key') return; // the 'key' policy admits keys only
        const headers = req.headers as Record<string, string | undefined>;
        const project = await directory.projectFor(principal, headers['x-gateway-project']);
        const abort = new AbortController();
        // A client that disconnects aborts the upstream request.
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) abort.abort();
        });
        void reply.header('x-gateway-request-id', req.id);
        const result = await gateway.execute(
          { organizationId: principal.organizationId, projectId: project.id, keyId: principal.keyId },
          req.body,
          headers,
          abort.signal,
        );
        const gatewayHeaders = responseHeaders(req.id, result.meta);
        if (result.kind === 'completion') return reply.headers(gatewayHeaders).type('application/json').send(result.completion);
        reply.hijack();
        await streamToClient(reply.raw, { ...gatewayHeaders, 'x-request-id': req.id }, result, abort.signal);
      } catch (err) {
        if (!(err instanceof ClientAbortedError)) sendError(reply, req, err, logger);
      }
      return reply;
    });
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
