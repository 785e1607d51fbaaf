import { Module } from '@nestjs/common';
import { RequestTemplatesModule } from '@switchyard/routing';
import { RouteAdminModule } from '../admin/route-admin.module';
import { ConfigsController } from './configs.controller';
import { PromptsController } from './prompts.controller';

/** Configs and saved prompts: the admin API here (services in RouteAdminModule), the request side (`x-gateway-config` and `prompt` on chat completions) in RequestTemplatesModule. */
@Module({
  imports: [RequestTemplatesModule, RouteAdminModule],
  controllers: [ConfigsController, PromptsController],
})
export class ConfigsModule {}
