import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly } from '@switchyard/http';
import { PromptsService } from '@switchyard/tenancy';
import type { Principal } from '@switchyard/types';
import { UuidPipe } from '../admin/uuid.pipe';

const page = async <T>(data: Promise<T[]>) => ({ data: await data, next_cursor: null });
const BASE = 'organizations/:org/projects/:project/prompts';

/** Saved prompts with versions and a deployed version (docs/routing.md "Prompts"); a prompt is named by its id or name. */
@Controller('v1/admin')
@AdminOnly()
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  @Post(BASE)
  create(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Body() body: unknown) {
    return this.prompts.create(adminScopeOf(p), org, project, body);
  }

  @Get(BASE)
  list(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return page(this.prompts.list(adminScopeOf(p), org, project));
  }

  @Get(`${BASE}/:prompt`)
  get(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('prompt') prompt: string) {
    return this.prompts.get(adminScopeOf(p), org, project, prompt);
  }

  @Patch(`${BASE}/:prompt`)
  rename(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('prompt') prompt: string, @Body() body: unknown) {
    return this.prompts.rename(adminScopeOf(p), org, project, prompt, body);
  }

  @Delete(`${BASE}/:prompt`)
  delete(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('prompt') prompt: string) {
    return this.prompts.delete(adminScopeOf(p), org, project, prompt);
  }

  @Post(`${BASE}/:prompt/versions`)
  createVersion(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('prompt') prompt: string, @Body() body: unknown) {
    return this.prompts.createVersion(adminScopeOf(p), org, project, prompt, body);
  }

  @Get(`${BASE}/:prompt/versions`)
  listVersions(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('prompt') prompt: string) {
    return page(this.prompts.listVersions(adminScopeOf(p), org, project, prompt));
  }

  @Get(`${BASE}/:prompt/versions/:version`)
  getVersion(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('prompt') prompt: string,
    @Param('version') version: string,
  ) {
    return this.prompts.getVersion(adminScopeOf(p), org, project, prompt, version);
  }

  @Post(`${BASE}/:prompt/deployments`)
  deploy(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('prompt') prompt: string, @Body() body: unknown) {
    return this.prompts.deploy(adminScopeOf(p), org, project, prompt, body);
  }
}
