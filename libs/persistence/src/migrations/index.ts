import { Tenancy1763800000000 } from './1763800000000-tenancy';
import { Collector1763900000000 } from './1763900000000-collector';
import { Documents1764000000000 } from './1764000000000-documents';
import { CollectorIngestSpeed1764100000000 } from './1764100000000-collector-ingest-speed';
import { RequestLogs1764200000000 } from './1764200000000-request-logs';
import { RequestLogRollups1764300000000 } from './1764300000000-request-log-rollups';
import { RequestLogRollupPercentiles1796515565255 } from './1796515565255-request-log-rollup-percentiles';

/** Every migration in order. A new migration is a new file plus one line here. */
export const MIGRATIONS = [
  Tenancy1763800000000, Collector1763900000000, Documents1764000000000, CollectorIngestSpeed1764100000000, RequestLogs1764200000000,
  RequestLogRollups1764300000000, RequestLogRollupPercentiles1796515565255,
];
