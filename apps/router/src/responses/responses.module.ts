import { Module } from '@nestjs/common';
import { PersistenceModule, StoredResponsesRepository } from '@switchyard/persistence';
import { RoutingModule } from '@switchyard/routing';
import { ResponseStore } from './response-store.service';
import { ResponsesController } from './responses.controller';
import { ResponsesRoutes } from './responses.routes';

@Module({
  imports: [RoutingModule, PersistenceModule.forFeature([StoredResponsesRepository])],
  controllers: [ResponsesController],
  providers: [ResponseStore, ResponsesRoutes],
})
export class ResponsesModule {}
