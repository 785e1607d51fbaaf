import { Module } from '@nestjs/common';
import { RoutingModule } from '@switchyard/routing';
import { ChatController } from './chat.controller';
import { ModelsService } from './models.service';

@Module({ imports: [RoutingModule], controllers: [ChatController], providers: [ModelsService] })
export class ChatModule {}
