import type { AdminScope, GatewayEventBus } from '@switchyard/auth';
import { LoadBalanceGroupEntity, type LoadBalanceGroupsRepository, type OrganizationsRepository, type ProjectEntity, type ProjectsRepository } from '@switchyard/persistence';
import { conflict, isUuid, loadBalanceMemberSchema, loadBalanceStrategySchema, newId, notFound, parseOr400, STICKY_KEY } from '@switchyard/types';
import { z } from 'zod';
import { requireOrganization } from '../organizations/organization-access';
import { findProject } from '../projects/project-ref';
import type { DeletedView } from '../tenancy.views';

const groupFields = {
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a group name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
  strategy: loadBalanceStrategySchema.default('weighted'),
  sticky_key: z.string().regex(STICKY_KEY, 'must be customer_identifier or metadata.<key>').default('customer_identifier'),
  models: z
    .array(loadBalanceMemberSchema)
    .min(1)
    .max(20)
    .refine((ms) => ms.some((m) => (m.weight ?? 1) > 0), 'needs a member with a weight above 0'),
};
export const createLoadBalanceGroupSchema = z.object(groupFields).strict();
export const patchLoadBalanceGroupSchema = z
  .object({ name: groupFields.name, strategy: loadBalanceStrategySchema, sticky_key: groupFields.sticky_key.unwrap(), models: groupFields.models })
  .partial()
  .strict();

export interface LoadBalanceGroupView {
  id: string;
  name: string;
  strategy: string;
  sticky_key: string;
  models: { model: string; weight: number }[];
  created_at: string;
  modified_at: string;
}

const viewOf = (g: LoadBalanceGroupEntity): LoadBalanceGroupView => ({
  id: g.id,
  name: g.name,
  strategy: g.strategy,
  sticky_key: g.stickyKey,
  models: g.models,
  created_at: g.createdAt.toISOString(),
  modified_at: g.modifiedAt.toISOString(),
});

const membersOf = (models: z.infer<typeof groupFields.models>) => models.map((m) => ({ model: m.model, weight: m.weight ?? 1 }));

/**
 * A project's saved load-balance groups (docs/routing.md#load-balancing): a request names one with
 * `load_balance_group.group_id` (its id or name). Every change publishes `load-balance-groups.changed` for the routers' copies.
 */
export class LoadBalanceGroupsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly groups: LoadBalanceGroupsRepository,
    private readonly events: GatewayEventBus,
  ) {}

  async create(scope: AdminScope, organizationId: string, projectRef: string, input: unknown): Promise<LoadBalanceGroupView> {
    const body = parseOr400(createLoadBalanceGroupSchema, input);
    const project = await this.project(scope, organizationId, projectRef);
    await this.nameFree(project, body.name);
    const group = Object.assign(new LoadBalanceGroupEntity(), {
      id: newId(),
      projectId: project.id,
      name: body.name,
      strategy: body.strategy,
      stickyKey: body.sticky_key,
      models: membersOf(body.models),
    });
    const saved = await this.groups.save(group);
    await this.publish(project);
    return viewOf(saved);
  }

  async list(scope: AdminScope, organizationId: string, projectRef: string): Promise<LoadBalanceGroupView[]> {
    const project = await this.project(scope, organizationId, projectRef);
    return (await this.groups.list(project.id)).map(viewOf);
  }

  async get(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<LoadBalanceGroupView> {
    return viewOf((await this.group(scope, organizationId, projectRef, id)).group);
  }

  async update(scope: AdminScope, organizationId: string, projectRef: string, id: string, input: unknown): Promise<LoadBalanceGroupView> {
    const body = parseOr400(patchLoadBalanceGroupSchema, input);
    const { project, group } = await this.group(scope, organizationId, projectRef, id);
    if (body.name !== undefined && body.name !== group.name) await this.nameFree(project, body.name);
    if (body.name !== undefined) group.name = body.name;
    if (body.strategy !== undefined) group.strategy = body.strategy;
    if (body.sticky_key !== undefined) group.stickyKey = body.sticky_key;
    if (body.models !== undefined) group.models = membersOf(body.models);
    const saved = await this.groups.save(group);
    await this.publish(project);
    return viewOf(saved);
  }

  async delete(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<DeletedView> {
    const { project, group } = await this.group(scope, organizationId, projectRef, id);
    await this.groups.delete(project.id, group.id);
    await this.publish(project);
    return { id: group.id, deleted: true };
  }

  private async nameFree(project: ProjectEntity, name: string): Promise<void> {
    if (await this.groups.findByName(project.id, name)) throw conflict(`A load-balance group named '${name}' already exists in this project.`, 'load_balance_group_exists', 'name');
  }

  private async project(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectEntity> {
    await requireOrganization(this.orgs, scope, organizationId);
    const project = await findProject(this.projects, organizationId, ref);
    if (!project) throw notFound(`Project '${ref}' not found.`, 'project_not_found');
    return project;
  }

  private async group(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<{ project: ProjectEntity; group: LoadBalanceGroupEntity }> {
    const project = await this.project(scope, organizationId, projectRef);
    const group = isUuid(id) ? await this.groups.findById(project.id, id) : await this.groups.findByName(project.id, id);
    if (!group) throw notFound(`Load-balance group '${id}' not found.`, 'load_balance_group_not_found');
    return { project, group };
  }

  private publish(project: ProjectEntity): Promise<void> {
    return this.events.publish({ type: 'load-balance-groups.changed', organizationId: project.organizationId, projectId: project.id });
  }
}
