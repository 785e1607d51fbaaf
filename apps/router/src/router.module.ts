import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { GatewayCoreModule } from '@switchyard/core';
import type { Metrics } from '@switchyard/telemetry';
import { AdminModule } from './admin/admin.module';
import { ChatModule } from './chat/chat.module';
import { CloudflareModule } from './cloudflare/cloudflare.module';
import { ConfigsModule } from './configs/configs.module';
import { EndpointsModule } from './endpoints/endpoints.module';
import { MessagesModule } from './messages/messages.module';
import { ResponsesModule } from './responses/responses.module';

@Module({})
export class RouterAppModule {
  static forRoot(config: AppConfig, metrics: Metrics): DynamicModule {
    return {
      module: RouterAppModule,
      imports: [GatewayCoreModule.forRoot({ config, service: 'router', metrics }), AdminModule, CloudflareModule, ChatModule, MessagesModule, ResponsesModule, EndpointsModule, ConfigsModule],
    };
  }
}
