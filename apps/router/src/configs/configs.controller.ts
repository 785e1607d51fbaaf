import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly } from '@switchyard/http';
import { ConfigsService } from '@switchyard/tenancy';
import type { Principal } from '@switchyard/types';
import { UuidPipe } from '../admin/uuid.pipe';

const page = async <T>(data: Promise<T[]>) => ({ data: await data, next_cursor: null });
const BASE = 'organizations/:org/projects/:project/configs';

/** Configs with variants, versions and targeting rules (docs/routing.md "Configs"); a config is named by its id or slug, a variant by its id or name. */
@Controller('v1/admin')
@AdminOnly()
export class ConfigsController {
  constructor(private readonly configs: ConfigsService) {}

  @Post(BASE)
  create(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Body() body: unknown) {
    return this.configs.create(adminScopeOf(p), org, project, body);
  }

  @Get(BASE)
  list(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return page(this.configs.list(adminScopeOf(p), org, project));
  }

  @Get(`${BASE}/:config`)
  get(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string) {
    return this.configs.get(adminScopeOf(p), org, project, config);
  }

  @Patch(`${BASE}/:config`)
  update(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string, @Body() body: unknown) {
    return this.configs.update(adminScopeOf(p), org, project, config, body);
  }

  @Delete(`${BASE}/:config`)
  delete(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string) {
    return this.configs.delete(adminScopeOf(p), org, project, config);
  }

  @Post(`${BASE}/:config/variants`)
  createVariant(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string, @Body() body: unknown) {
    return this.configs.createVariant(adminScopeOf(p), org, project, config, body);
  }

  @Get(`${BASE}/:config/variants`)
  listVariants(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string) {
    return page(this.configs.listVariants(adminScopeOf(p), org, project, config));
  }

  @Delete(`${BASE}/:config/variants/:variant`)
  deleteVariant(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('config') config: string,
    @Param('variant') variant: string,
  ) {
    return this.configs.deleteVariant(adminScopeOf(p), org, project, config, variant);
  }

  @Post(`${BASE}/:config/variants/:variant/versions`)
  createVersion(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('config') config: string,
    @Param('variant') variant: string,
    @Body() body: unknown,
  ) {
    return this.configs.createVersion(adminScopeOf(p), org, project, config, variant, body);
  }

  @Get(`${BASE}/:config/variants/:variant/versions`)
  listVersions(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('config') config: string,
    @Param('variant') variant: string,
  ) {
    return page(this.configs.listVersions(adminScopeOf(p), org, project, config, variant));
  }

  @Get(`${BASE}/:config/rules`)
  listRules(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string) {
    return page(this.configs.listRules(adminScopeOf(p), org, project, config));
  }

  @Put(`${BASE}/:config/rules`)
  putRules(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('config') config: string, @Body() body: unknown) {
    return page(this.configs.putRules(adminScopeOf(p), org, project, config, body));
  }
}
