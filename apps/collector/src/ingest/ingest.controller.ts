import type { Readable } from 'node:stream';
import { Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { ProjectKeyOnly } from '@switchyard/http';
import type { KeyPrincipal } from '@switchyard/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodeProtobufResponse } from '@switchyard/telemetry';
import { IngestExceptionFilter } from './ingest-exception.filter';
import { IngestService } from './ingest.service';

/** OTLP/HTTP trace export and the Dynamiq SDK runs body, on the OTLP path. Project keys only. */
@Controller('v1/traces')
@UseFilters(IngestExceptionFilter)
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(200)
  @ProjectKeyOnly()
  async export(@CurrentPrincipal() principal: KeyPrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const result = await this.ingest.ingest(principal.projectId!, req.headers['content-type'], req.headers['content-encoding'], req.body as Readable);
    if (result.kind === 'dynamiq') return void reply.code(200).type('application/json').send({ message: 'ok' });
    if (result.encoding === 'protobuf') {
      return void reply.code(200).type('application/x-protobuf').send(Buffer.from(encodeProtobufResponse(result.partialSuccess)));
    }
    return void reply.code(200).type('application/json').send(result.partialSuccess ? { partialSuccess: result.partialSuccess } : {});
  }
}
