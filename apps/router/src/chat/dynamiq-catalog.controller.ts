import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { FamilyExceptionFilter } from '@switchyard/http';
import { notFound, type Principal } from '@switchyard/types';
import { ModelsService, type ModelProvider } from './models.service';

/** A model as Dynamiq's catalog lists it; the id is the catalog slug (the gateway's models have no other id). */
export interface DynamiqModel {
  id: string;
  slug: string;
  name: string;
}

/**
 * Dynamiq's catalog routes: `GET /v1/router/models` and `GET /v1/router/models/{model_id}/providers`, over what
 * the key's organization can route to (as `GET /v1/models`), errors in Dynamiq's envelope.
 */
@Controller('v1/router/models')
@UseFilters(new FamilyExceptionFilter('dynamiq'))
export class DynamiqCatalogController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ data: DynamiqModel[]; next_cursor: null }> {
    const routable = principal.kind === 'key' ? await this.models.routable(principal.organizationId) : [];
    return { data: routable.map(({ model }) => ({ id: model.slug, slug: model.slug, name: model.slug })), next_cursor: null };
  }

  @Get(':modelId/providers')
  async providers(@CurrentPrincipal() principal: Principal, @Param('modelId') modelId: string): Promise<{ data: ModelProvider[]; next_cursor: null }> {
    const routable = principal.kind === 'key' ? await this.models.routable(principal.organizationId) : [];
    const found = routable.find(({ model }) => model.slug === modelId);
    if (!found) throw notFound(`The model '${modelId}' does not exist or has no connected provider; GET /v1/router/models lists them.`, 'model_not_found', 'model_id');
    return { data: found.providers, next_cursor: null };
  }
}
