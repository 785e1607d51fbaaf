import { Module } from '@nestjs/common';
import { TenancyModule } from '@switchyard/tenancy';
import { AdminController } from './admin.controller';
import { BudgetsService } from './budgets.service';
import { RouteAdminModule } from './route-admin.module';

@Module({
  imports: [TenancyModule, RouteAdminModule],
  controllers: [AdminController],
  providers: [BudgetsService],
  // The Cloudflare-compatible routes API (apps/router/src/cloudflare) runs over the same services.
  exports: [RouteAdminModule],
})
export class AdminModule {}
