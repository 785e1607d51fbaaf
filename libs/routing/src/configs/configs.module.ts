import { Global, Module } from '@nestjs/common';
import { GatewayEventBus } from '@switchyard/auth';
import { ConfigsRepository, PersistenceModule, PromptsRepository } from '@switchyard/persistence';
import { ChatRequestPreparation } from './chat-preparation';
import { ConfigDirectory } from './config-directory';
import { PromptDirectory } from './prompt-directory';

/** Configs (`x-gateway-config`) and saved prompts (`prompt`) applied to chat requests before they are parsed: the in-memory directories and the preparation step. */
@Global()
@Module({
  imports: [PersistenceModule.forFeature([ConfigsRepository, PromptsRepository])],
  providers: [
    { provide: ConfigDirectory, inject: [ConfigsRepository, GatewayEventBus], useFactory: (r: ConfigsRepository, e: GatewayEventBus) => new ConfigDirectory(r, e) },
    { provide: PromptDirectory, inject: [PromptsRepository, GatewayEventBus], useFactory: (r: PromptsRepository, e: GatewayEventBus) => new PromptDirectory(r, e) },
    {
      provide: ChatRequestPreparation,
      inject: [ConfigDirectory, PromptDirectory],
      useFactory: (c: ConfigDirectory, p: PromptDirectory) => new ChatRequestPreparation(c, p),
    },
  ],
  exports: [ConfigDirectory, PromptDirectory, ChatRequestPreparation],
})
export class RequestTemplatesModule {}
