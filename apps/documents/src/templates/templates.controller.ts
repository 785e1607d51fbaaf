import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Put } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import type { Principal } from '@switchyard/types';
import { TemplatesService } from '@switchyard/documents';

@Controller('v1/documents/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Body() body: unknown) {
    return this.templates.create(principal, project, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined) {
    return this.templates.list(principal, project);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.templates.get(principal, project, id);
  }

  @Patch(':id')
  update(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    return this.templates.update(principal, project, id, body);
  }

  @Put(':id')
  replace(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    return this.templates.update(principal, project, id, body);
  }

  @Delete(':id')
  delete(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.templates.delete(principal, project, id);
  }
}
