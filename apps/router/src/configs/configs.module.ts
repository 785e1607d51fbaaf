import { Module } from '@nestjs/common';
import { GatewayEventBus } from '@switchyard/auth';
import { ConfigsRepository, OrganizationsRepository, PersistenceModule, ProjectsRepository, PromptsRepository } from '@switchyard/persistence';
import { checkJsonLogic, checkParameters, compileSafeTemplate, RequestTemplatesModule } from '@switchyard/routing';
import { ConfigsService, PromptsService, type ConfigChecks } from '@switchyard/tenancy';
import { ConfigsController } from './configs.controller';
import { PromptsController } from './prompts.controller';

/** What a config saves is checked by the routing lib's own template, condition and parameter checks (tenancy does not depend on routing). */
const CHECKS: ConfigChecks = { template: compileSafeTemplate, condition: checkJsonLogic, parameters: checkParameters };

/** Configs and saved prompts: the admin API here, the request side (`x-gateway-config` and `prompt` on chat completions) in RequestTemplatesModule. */
@Module({
  imports: [RequestTemplatesModule, PersistenceModule.forFeature([OrganizationsRepository, ProjectsRepository, ConfigsRepository, PromptsRepository])],
  controllers: [ConfigsController, PromptsController],
  providers: [
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
})
export class ConfigsModule {}
