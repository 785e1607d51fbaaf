import { Module } from '@nestjs/common';
import { TenancyModule } from '@switchyard/tenancy';
import { AdminController } from './admin.controller';

@Module({ imports: [TenancyModule], controllers: [AdminController] })
export class AdminModule {}
