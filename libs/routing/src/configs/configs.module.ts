import { Global, Module } from '@nestjs/common';
import { GatewayEventBus } from '@switchyard/auth';
import { ConfigsRepository, PersistenceModule } from '@switchyard/persistence';
import { ChatRequestPreparation } from './chat-preparation';
import { ConfigDirectory } from './config-directory';

/** Configs (`x-gateway-config`) applied to chat requests before they are parsed: the in-memory directory and the preparation step. */
@Global()
@Module({
  imports: [PersistenceModule.forFeature([ConfigsRepository])],
  providers: [
    { provide: ConfigDirectory, inject: [ConfigsRepository, GatewayEventBus], useFactory: (r: ConfigsRepository, e: GatewayEventBus) => new ConfigDirectory(r, e) },
    { provide: ChatRequestPreparation, inject: [ConfigDirectory], useFactory: (c: ConfigDirectory) => new ChatRequestPreparation(c) },
  ],
  exports: [ConfigDirectory, ChatRequestPreparation],
})
export class RequestTemplatesModule {}
