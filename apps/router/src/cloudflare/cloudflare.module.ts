import { Module } from '@nestjs/common';
import { TenancyModule } from '@switchyard/tenancy';
import { AdminModule } from '../admin/admin.module';
import { GatewaysController } from './gateways.controller';
import { ProviderConfigsController } from './provider-configs.controller';
import { CfRoutesController } from './routes.controller';

/** The Cloudflare-compatible management API (DESIGN.md section 7) served by the router; see docs/cloudflare-api.md. */
@Module({ imports: [TenancyModule, AdminModule], controllers: [GatewaysController, CfRoutesController, ProviderConfigsController] })
export class CloudflareModule {}
