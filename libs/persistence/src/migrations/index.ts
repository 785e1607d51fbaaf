import { Tenancy1763800000000 } from './1763800000000-tenancy';
import { Collector1763900000000 } from './1763900000000-collector';
import { Documents1764000000000 } from './1764000000000-documents';
import { CollectorIngestSpeed1764100000000 } from './1764100000000-collector-ingest-speed';
import { RequestLogs1764200000000 } from './1764200000000-request-logs';
import { RequestLogRollups1764300000000 } from './1764300000000-request-log-rollups';
import { Limits1796515171015 } from './1796515171015-limits';
import { RequestLogRollupPercentiles1796515565255 } from './1796515565255-request-log-rollup-percentiles';
import { StoredResponses1796515907482 } from './1796515907482-stored-responses';
import { DlpProfiles1796516118907 } from './1796516118907-dlp-profiles';
import { ConnectionBaseUrlTrust1796516717728 } from './1796516717728-connection-base-url-trust';
import { GatewayStoredFields1796519473610 } from './1796519473610-gateway-stored-fields';
import { DynamicRoutes1796519981131 } from './1796519981131-dynamic-routes';
import { LoadBalancing1796522400000 } from './1796522400000-load-balancing';
import { LogDatasets1796524825158 } from './1796524825158-log-datasets';
import { Configs1796524855485 } from './1796524855485-configs';
import { RequestLogHourlyRollups1796525601291 } from './1796525601291-request-log-hourly-rollups';
import { DocumentPageDecision1796526034253 } from './1796526034253-document-page-decision';
import { Prompts1796526133447 } from './1796526133447-prompts';
import { DocumentFileStore1796534537398 } from './1796534537398-document-file-store';
import { RequestLogDimensionHourlyRollups1796535624069 } from './1796535624069-request-log-dimension-hourly-rollups';
import { RequestLogIngestCost1796556727406 } from './1796556727406-request-log-ingest-cost';
import { RequestLogDimensionDailyRollups1796560000000 } from './1796560000000-request-log-dimension-daily-rollups';
import { RequestLogRollupsFillfactor1796570000000 } from './1796570000000-request-log-rollups-fillfactor';

/** Every migration in order. A new migration is a new file plus one line here. */
export const MIGRATIONS = [
  Tenancy1763800000000, Collector1763900000000, Documents1764000000000, CollectorIngestSpeed1764100000000, RequestLogs1764200000000,
  RequestLogRollups1764300000000, Limits1796515171015, RequestLogRollupPercentiles1796515565255, StoredResponses1796515907482,
  DlpProfiles1796516118907, ConnectionBaseUrlTrust1796516717728, GatewayStoredFields1796519473610, DynamicRoutes1796519981131,
  LoadBalancing1796522400000, LogDatasets1796524825158, Configs1796524855485, RequestLogHourlyRollups1796525601291, DocumentPageDecision1796526034253, Prompts1796526133447,
  DocumentFileStore1796534537398,
  RequestLogDimensionHourlyRollups1796535624069,
  RequestLogIngestCost1796556727406,
  RequestLogDimensionDailyRollups1796560000000,
  RequestLogRollupsFillfactor1796570000000,
];
