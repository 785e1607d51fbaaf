import { Module } from '@nestjs/common';
import { TenancyModule } from '@switchyard/tenancy';
import { GatewaysController } from './gateways.controller';

/** The Cloudflare-compatible management API (DESIGN.md section 7) served by the router; see docs/cloudflare-api.md. */
@Module({ imports: [TenancyModule], controllers: [GatewaysController] })
export class CloudflareModule {}
