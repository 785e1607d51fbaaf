import { AccessKeyEntity } from './access-key.entity';
import { ConnectionEntity } from './connection.entity';
import { OrganizationEntity } from './organization.entity';
import { ProjectEntity } from './project.entity';
import { RunEntity } from './run.entity';
import { SpanEntity } from './span.entity';
import { TraceEntity } from './trace.entity';

export { AccessKeyEntity, ConnectionEntity, OrganizationEntity, ProjectEntity, RunEntity, SpanEntity, TraceEntity };
export { settingsOf, applySettings } from './project.entity';

/** Every entity of the schema; features add theirs here together with their migration. */
export const ENTITIES = [OrganizationEntity, ProjectEntity, AccessKeyEntity, ConnectionEntity, SpanEntity, TraceEntity, RunEntity];
