import { Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import type { Principal } from '@switchyard/types';
import { DynamiqOcrService } from '@switchyard/documents';
import { uploadSourceOf } from './upload.adapter';

/** Dynamiq-compatible synchronous routes: multipart `file` + `options` JSON string. */
@Controller('v1/ocr')
export class OcrController {
  constructor(
    private readonly ocr: DynamiqOcrService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Post('parse')
  @HttpCode(200)
  parse(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Req() req: FastifyRequest) {
    return this.ocr.parse(principal, project, uploadSourceOf(req, this.config.limits.bodyIdleTimeoutMs));
  }

  @Post('extract')
  @HttpCode(200)
  extract(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Req() req: FastifyRequest) {
    return this.ocr.extract(principal, project, uploadSourceOf(req, this.config.limits.bodyIdleTimeoutMs));
  }
}
