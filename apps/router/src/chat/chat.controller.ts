import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import type { Principal } from '@switchyard/types';
import { ModelsService } from './models.service';

/** `GET /v1/models`. (`POST /v1/chat/completions` is a raw route on the Node server: see chat.endpoint.ts.) */
@Controller('v1')
export class ChatController {
  constructor(private readonly models: ModelsService) {}

  @Get('models')
  async listModels(@CurrentPrincipal() principal: Principal) {
    if (principal.kind !== 'key') return { object: 'list', data: [] };
    return { object: 'list', data: await this.models.list(principal.organizationId) };
  }
}
