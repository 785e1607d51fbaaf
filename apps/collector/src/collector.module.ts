import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { GatewayCoreModule } from '@switchyard/core';
import {
  LogDatasetsRepository, LogEvaluationsRepository, PersistenceModule, ProjectsRepository, RequestLogRollupsRepository, RequestLogsRepository, RunsRepository, SpansRepository,
} from '@switchyard/persistence';
import type { Metrics } from '@switchyard/telemetry';
import { AnalyticsController } from './analytics/analytics.controller';
import { AnalyticsService } from './analytics/analytics.service';
import { IngestController } from './ingest/ingest.controller';
import { IngestQueue } from './queue/ingest-queue';
import { IngestService } from './ingest/ingest.service';
import { LogStreamMetrics } from './logs/log-stream-metrics';
import { LogWriter } from './logs/log-writer';
import { DatasetsController } from './cloudflare/datasets.controller';
import { EvaluationsController, EvaluationTypesController } from './cloudflare/evaluations.controller';
import { GatewayLogsController } from './cloudflare/gateway-logs.controller';
import { GatewayScope } from './cloudflare/gateway-scope';
import { DatasetsService } from './evaluations/datasets.service';
import { EvaluationsService } from './evaluations/evaluations.service';
import { LogsController } from './logs/logs.controller';
import { LogsService } from './logs/logs.service';
import { RetentionService } from './retention/retention.service';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { ProjectScope } from './traces/project-scope';
import { TracesController } from './traces/traces.controller';
import { TracesService } from './traces/traces.service';
import { SpanWriter } from './writer/span-writer';

@Module({})
export class CollectorAppModule {
  static forRoot(config: AppConfig, metrics: Metrics): DynamicModule {
    return {
      module: CollectorAppModule,
      // Accepted spans are durable in Redis, so readiness does not depend on PostgreSQL.
      imports: [
        GatewayCoreModule.forRoot({ config, service: 'collector', metrics, readiness: ['redis'], defaultAuthPolicy: 'project-key-or-admin' }),
        PersistenceModule.forFeature([SpansRepository, RunsRepository, ProjectsRepository, RequestLogsRepository, RequestLogRollupsRepository, LogDatasetsRepository, LogEvaluationsRepository]),
      ],
      controllers: [
        IngestController, TracesController, RunsController, LogsController, GatewayLogsController, DatasetsController, EvaluationsController,
        EvaluationTypesController, AnalyticsController,
      ],
      providers: [
        IngestQueue,
        IngestService,
        SpanWriter,
        LogWriter,
        LogStreamMetrics,
        LogsService,
        AnalyticsService,
        RetentionService,
        ProjectScope,
        GatewayScope,
        DatasetsService,
        EvaluationsService,
        TracesService,
        RunsService,
      ],
    };
  }
}
