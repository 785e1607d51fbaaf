import { AccessKeyEntity } from './access-key.entity';
import { ConnectionEntity } from './connection.entity';
import { DlpProfileEntity } from './dlp-profile.entity';
import { ConfigEntity, ConfigRuleEntity, ConfigVariantEntity, ConfigVariantVersionEntity } from './config.entities';
import { PromptEntity, PromptVersionEntity } from './prompt.entities';
import { DynamicRouteDeploymentEntity, DynamicRouteEntity, DynamicRouteVersionEntity } from './dynamic-route.entities';
import { DocumentFileEntity, DocumentJobEntity, DocumentPageEntity, DocumentTemplateEntity, WebhookDeliveryEntity } from './document.entities';
import { LoadBalanceGroupEntity } from './load-balance-group.entity';
import { OrganizationEntity } from './organization.entity';
import { ProjectEntity } from './project.entity';
import { RequestLogBodyEntity, RequestLogEntity } from './request-log.entity';
import { RunEntity } from './run.entity';
import { SpanEntity } from './span.entity';
import { StoredResponseEntity } from './stored-response.entity';
import { TraceEntity } from './trace.entity';

export { AccessKeyEntity, ConnectionEntity, DlpProfileEntity, OrganizationEntity, ProjectEntity, RunEntity, SpanEntity, TraceEntity };
export { RequestLogBodyEntity, RequestLogEntity };
export { StoredResponseEntity };
export { DynamicRouteDeploymentEntity, DynamicRouteEntity, DynamicRouteVersionEntity };
export { ConfigEntity, ConfigRuleEntity, ConfigVariantEntity, ConfigVariantVersionEntity };
export type { ConfigVariantData } from './config.entities';
export { PromptEntity, PromptVersionEntity };
export type { PromptVersionData } from './prompt.entities';
export { LoadBalanceGroupEntity };
export type { StoredLogAttempt } from './request-log.entity';
export { DocumentFileEntity, DocumentJobEntity, DocumentPageEntity, DocumentTemplateEntity, WebhookDeliveryEntity };
export type { DocumentJobError, DocumentJobStatus, DocumentJobType, DocumentUsage, PageDecision, PageMethod } from './document.entities';
export { settingsOf, applySettings } from './project.entity';

/** Every entity of the schema; features add theirs here together with their migration. */
export const ENTITIES = [
  OrganizationEntity,
  ProjectEntity,
  AccessKeyEntity,
  ConnectionEntity,
  DlpProfileEntity,
  SpanEntity,
  TraceEntity,
  RunEntity,
  DocumentJobEntity,
  DocumentPageEntity,
  DocumentTemplateEntity,
  WebhookDeliveryEntity,
  DocumentFileEntity,
  RequestLogEntity,
  RequestLogBodyEntity,
  StoredResponseEntity,
  DynamicRouteEntity,
  DynamicRouteVersionEntity,
  DynamicRouteDeploymentEntity,
  ConfigEntity,
  ConfigVariantEntity,
  ConfigVariantVersionEntity,
  ConfigRuleEntity,
  PromptEntity,
  PromptVersionEntity,
  LoadBalanceGroupEntity,
];
