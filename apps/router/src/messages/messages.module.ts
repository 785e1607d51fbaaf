import { Module } from '@nestjs/common';
import { RoutingModule } from '@switchyard/routing';
import { MessagesRoutes } from './messages.routes';

/** Anthropic's Messages API on the router (raw routes; see messages.endpoint.ts). */
@Module({ imports: [RoutingModule], providers: [MessagesRoutes] })
export class MessagesModule {}
