import { Module } from '@nestjs/common';
import { RoutingModule } from '@switchyard/routing';
import { ChatController } from './chat.controller';
import { ChatRoutes } from './chat.routes';
import { DynamiqCatalogController } from './dynamiq-catalog.controller';
import { ModelsService } from './models.service';

@Module({ imports: [RoutingModule], controllers: [ChatController, DynamiqCatalogController], providers: [ModelsService, ChatRoutes] })
export class ChatModule {}
