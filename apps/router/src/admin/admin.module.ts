import { Module } from '@nestjs/common';
import { TenancyModule } from '@switchyard/tenancy';
import { AdminController } from './admin.controller';
import { BudgetsService } from './budgets.service';

@Module({ imports: [TenancyModule], controllers: [AdminController], providers: [BudgetsService] })
export class AdminModule {}
