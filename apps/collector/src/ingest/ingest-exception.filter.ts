import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { closeAfterAnswer, dynamiqEnvelope } from '@switchyard/http';
import { GatewayError } from '@switchyard/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodeRpcStatus } from '@switchyard/telemetry';
import { CollectorException, grpcCodeOf } from './collector.exception';
import { encodingOf } from './ingest.service';

/**
 * Errors of `POST /v1/traces` in the ingest wire formats: OTLP/HTTP `google.rpc.Status` in the
 * request's encoding, or the Dynamiq envelope `{"error":{"code":"bad_request","message","details"}}` once the body
 * is known to be a Dynamiq one (before that, e.g. for auth or a body over the size limit, the body's kind is
 * unknown and OTLP's Status answers). Unexpected errors are a generic 500 with the request id.
 */
@Catch()
export class IngestExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let code = 'internal_error';
    let message = `Internal error (request ${request.id}).`;
    let details: Record<string, string> = {};
    let dynamiq = false;
    const headers: Record<string, string> = {};
    if (exception instanceof CollectorException) {
      ({ status, code, message } = exception);
      details = exception.options.details ?? {};
      dynamiq = exception.options.dynamiq === true;
      if (exception.options.retryAfterSeconds) headers['retry-after'] = String(exception.options.retryAfterSeconds);
    } else if (exception instanceof GatewayError) {
      ({ status, code, message } = exception);
      Object.assign(headers, exception.headers);
    } else {
      request.log.error({ err: exception, reqId: request.id }, 'ingest failed');
    }
    if (reply.sent) return;
    closeAfterAnswer(request.raw, reply.raw);
    void reply.code(status).headers(headers);
    if (dynamiq) {
      void reply.type('application/json').send(dynamiqEnvelope(status, message, details, code));
    } else if (encodingOf(request.headers['content-type']) === 'protobuf') {
      void reply.type('application/x-protobuf').send(Buffer.from(encodeRpcStatus(grpcCodeOf(status), message)));
    } else {
      void reply.type('application/json').send({ code: grpcCodeOf(status), message, details: [] });
    }
  }
}
