import { Controller, Delete, Get, Headers, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, TenantDirectory } from '@switchyard/auth';
import { forbidden, invalidRequest, type Principal } from '@switchyard/types';
import { ResponseStore } from './response-store.service';

/** Stored responses: `GET` and `DELETE /v1/responses/{id}`, `GET /v1/responses/{id}/input_items`, within the caller's project. (`POST /v1/responses` is a raw route: see responses.endpoint.ts.) */
@Controller('v1/responses')
export class ResponsesController {
  constructor(
    private readonly store: ResponseStore,
    private readonly directory: TenantDirectory,
  ) {}

  @Get(':id')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query('stream') stream?: string, @Headers('x-gateway-project') project?: string) {
    if (stream === 'true') throw invalidRequest('Replaying a stored response as a stream is not supported by the gateway.', 'stream', 'unsupported_parameter');
    return this.store.get(await this.projectId(p, project), id);
  }

  @Get(':id/input_items')
  async inputItems(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Headers('x-gateway-project') project?: string) {
    return this.store.inputItems(await this.projectId(p, project), id);
  }

  @Delete(':id')
  async delete(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Headers('x-gateway-project') project?: string) {
    return this.store.delete(await this.projectId(p, project), id);
  }

  private async projectId(p: Principal, slug: string | undefined): Promise<string> {
    // The 'key' policy admits keys only; stored responses belong to the key's project.
    if (p.kind !== 'key') throw forbidden('Stored responses belong to a project: call with an access key.');
    return (await this.directory.projectFor(p, slug)).id;
  }
}
