import { Module } from '@nestjs/common';
import { GatewayEventBus } from '@switchyard/auth';
import {
  ConfigsRepository,
  DynamicRoutesRepository,
  LoadBalanceGroupsRepository,
  OrganizationsRepository,
  PersistenceModule,
  ProjectsRepository,
  PromptsRepository,
} from '@switchyard/persistence';
import { checkJsonLogic, checkParameters, compileSafeTemplate, parseRouteDocument } from '@switchyard/routing';
import { ConfigsService, LoadBalanceGroupsService, PromptsService, RoutesService, type ConfigChecks } from '@switchyard/tenancy';

/** What a config or prompt saves is checked by the routing lib's own template, condition and parameter checks. */
const CHECKS: ConfigChecks = { template: compileSafeTemplate, condition: checkJsonLogic, parameters: checkParameters };

/**
 * The tenancy services whose documents the routing lib validates (tenancy does not depend on routing): dynamic
 * routes, load-balance groups, configs and saved prompts. One place builds them for the admin API, the
 * Cloudflare-shaped API and the CLI (tools/cli.ts).
 */
@Module({
  imports: [PersistenceModule.forFeature([OrganizationsRepository, ProjectsRepository, DynamicRoutesRepository, LoadBalanceGroupsRepository, ConfigsRepository, PromptsRepository])],
  providers: [
    {
      provide: RoutesService,
      inject: [OrganizationsRepository, ProjectsRepository, DynamicRoutesRepository, GatewayEventBus],
      useFactory: (o: OrganizationsRepository, p: ProjectsRepository, r: DynamicRoutesRepository, e: GatewayEventBus) => new RoutesService(o, p, r, e, parseRouteDocument),
    },
    {
      provide: LoadBalanceGroupsService,
      inject: [OrganizationsRepository, ProjectsRepository, LoadBalanceGroupsRepository, GatewayEventBus],
      useFactory: (o: OrganizationsRepository, p: ProjectsRepository, r: LoadBalanceGroupsRepository, e: GatewayEventBus) => new LoadBalanceGroupsService(o, p, r, e),
    },
    {
      provide: ConfigsService,
      inject: [OrganizationsRepository, ProjectsRepository, ConfigsRepository, GatewayEventBus],
      useFactory: (o: OrganizationsRepository, p: ProjectsRepository, c: ConfigsRepository, e: GatewayEventBus) => new ConfigsService(o, p, c, e, CHECKS),
    },
    {
      provide: PromptsService,
      inject: [OrganizationsRepository, ProjectsRepository, PromptsRepository, GatewayEventBus],
      useFactory: (o: OrganizationsRepository, p: ProjectsRepository, r: PromptsRepository, e: GatewayEventBus) => new PromptsService(o, p, r, e, CHECKS),
    },
  ],
  exports: [RoutesService, LoadBalanceGroupsService, ConfigsService, PromptsService],
})
export class RouteAdminModule {}
