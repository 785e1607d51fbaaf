import { Module } from '@nestjs/common';
import { RoutingModule } from '@switchyard/routing';
import { ChatController } from './chat.controller';
import { ChatRoutes } from './chat.routes';
import { ModelsService } from './models.service';

@Module({ imports: [RoutingModule], controllers: [ChatController], providers: [ModelsService, ChatRoutes] })
export class ChatModule {}
