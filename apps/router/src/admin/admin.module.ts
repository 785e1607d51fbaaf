import { Module } from '@nestjs/common';
import { GatewayEventBus } from '@switchyard/auth';
import { DynamicRoutesRepository, LoadBalanceGroupsRepository, OrganizationsRepository, PersistenceModule, ProjectsRepository } from '@switchyard/persistence';
import { parseRouteDocument } from '@switchyard/routing';
import { LoadBalanceGroupsService, RoutesService, TenancyModule } from '@switchyard/tenancy';
import { AdminController } from './admin.controller';
import { BudgetsService } from './budgets.service';

@Module({
  imports: [TenancyModule, PersistenceModule.forFeature([OrganizationsRepository, ProjectsRepository, DynamicRoutesRepository, LoadBalanceGroupsRepository])],
  controllers: [AdminController],
  providers: [
    BudgetsService,
    {
      // Route documents are validated by the routing lib's schema (tenancy does not depend on routing).
      provide: RoutesService,
      inject: [OrganizationsRepository, ProjectsRepository, DynamicRoutesRepository, GatewayEventBus],
      useFactory: (o: OrganizationsRepository, p: ProjectsRepository, r: DynamicRoutesRepository, e: GatewayEventBus) => new RoutesService(o, p, r, e, parseRouteDocument),
    },
    {
      provide: LoadBalanceGroupsService,
      inject: [OrganizationsRepository, ProjectsRepository, LoadBalanceGroupsRepository, GatewayEventBus],
      useFactory: (o: OrganizationsRepository, p: ProjectsRepository, r: LoadBalanceGroupsRepository, e: GatewayEventBus) => new LoadBalanceGroupsService(o, p, r, e),
    },
  ],
  // The Cloudflare-compatible routes API (apps/router/src/cloudflare) runs over the same service.
  exports: [RoutesService],
})
export class AdminModule {}
