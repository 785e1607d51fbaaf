import type { AdminScope, GatewayEventBus } from '@switchyard/auth';
import type { DynamicRouteEntity, DynamicRoutesRepository, OrganizationsRepository, ProjectEntity, ProjectsRepository } from '@switchyard/persistence';
import { conflict, invalidRequest, isUuid, notFound, parseOr400 } from '@switchyard/types';
import { requireProject } from '../projects/project-ref';
import { routeDeploymentView, routeVersionView, routeView, type DeletedView, type RouteDeploymentView, type RouteVersionView, type RouteView } from '../tenancy.views';
import { createRouteSchema, deployRouteSchema, patchRouteSchema } from './route.dto';

/**
 * Validates a route document (`{elements: [...]}`, with or without `name`) and returns it normalized; throws a
 * 400 naming the element. The routing lib's `parseRouteDocument`, bound by the app (tenancy does not depend on routing).
 */
export type RouteDocumentValidator = (raw: unknown) => { elements: unknown[] };

/**
 * A project's dynamic routes with versions and deployments (Cloudflare's routes API): the first save creates
 * version 1 and deploys it; later versions go live only when deployed; a rollback deploys an older version.
 * Every change that alters what is live publishes `routes.changed` for the routers' in-memory copies.
 */
export class RoutesService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly routes: DynamicRoutesRepository,
    private readonly events: GatewayEventBus,
    private readonly validate: RouteDocumentValidator,
  ) {}

  async create(scope: AdminScope, organizationId: string, projectRef: string, input: unknown): Promise<RouteView> {
    const { name } = parseOr400(createRouteSchema, input);
    const doc = this.document(input);
    const project = await this.project(scope, organizationId, projectRef);
    if (await this.routes.findByName(project.id, name)) throw conflict(`A route named '${name}' already exists in this project.`, 'route_exists', 'name');
    const { route, version } = await this.routes.create(project.id, name, doc);
    await this.publish(project);
    return routeView(route, version.data);
  }

  async list(scope: AdminScope, organizationId: string, projectRef: string): Promise<RouteView[]> {
    const project = await this.project(scope, organizationId, projectRef);
    return (await this.routes.list(project.id)).map((r) => routeView(r, null));
  }

  async get(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<RouteView> {
    const { route } = await this.route(scope, organizationId, projectRef, id);
    const live = route.deployedVersionId ? await this.routes.findVersion(route, route.deployedVersionId) : null;
    return routeView(route, live?.data ?? null);
  }

  async rename(scope: AdminScope, organizationId: string, projectRef: string, id: string, input: unknown): Promise<RouteView> {
    const { name } = parseOr400(patchRouteSchema, input);
    const { project, route } = await this.route(scope, organizationId, projectRef, id);
    const other = await this.routes.findByName(project.id, name);
    if (other && other.id !== route.id) throw conflict(`A route named '${name}' already exists in this project.`, 'route_exists', 'name');
    const saved = await this.routes.rename(project.id, route, name);
    await this.publish(project);
    return routeView(saved, null);
  }

  async delete(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<DeletedView> {
    const { project, route } = await this.route(scope, organizationId, projectRef, id);
    await this.routes.delete(project.id, route.id);
    await this.publish(project);
    return { id: route.id, deleted: true };
  }

  async listVersions(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<RouteVersionView[]> {
    const { route } = await this.route(scope, organizationId, projectRef, id);
    return (await this.routes.listVersions(route)).map((v) => routeVersionView(v, route));
  }

  async getVersion(scope: AdminScope, organizationId: string, projectRef: string, id: string, versionId: string): Promise<RouteVersionView> {
    const { route } = await this.route(scope, organizationId, projectRef, id);
    const version = isUuid(versionId) ? await this.routes.findVersion(route, versionId) : null;
    if (!version) throw notFound(`Version '${versionId}' of route '${route.name}' not found.`, 'route_version_not_found');
    return routeVersionView(version, route);
  }

  /** Saves a new version; it goes live only when deployed. */
  async createVersion(scope: AdminScope, organizationId: string, projectRef: string, id: string, input: unknown): Promise<RouteVersionView> {
    const doc = this.document(input);
    const { route } = await this.route(scope, organizationId, projectRef, id);
    return routeVersionView(await this.routes.addVersion(route, doc), route);
  }

  async listDeployments(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<RouteDeploymentView[]> {
    const { route } = await this.route(scope, organizationId, projectRef, id);
    return (await this.routes.listDeployments(route)).map(routeDeploymentView);
  }

  /** Makes a version live (a rollback is the deployment of an older one). */
  async deploy(scope: AdminScope, organizationId: string, projectRef: string, id: string, input: unknown): Promise<RouteDeploymentView> {
    const { version_id } = parseOr400(deployRouteSchema, input);
    const { project, route } = await this.route(scope, organizationId, projectRef, id);
    if (!(await this.routes.findVersion(route, version_id))) throw invalidRequest(`'${version_id}' is not a version of route '${route.name}'.`, 'version_id', 'route_version_not_found');
    const deployment = await this.routes.deploy(route, version_id);
    await this.publish(project);
    return routeDeploymentView(deployment);
  }

  /** The document of a body (`elements`, and `name` that the route itself holds), validated. */
  private document(input: unknown): { elements: unknown[] } {
    const { name: _name, ...rest } = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    return { elements: this.validate(rest).elements };
  }

  private project(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectEntity> {
    return requireProject(this.orgs, this.projects, scope, organizationId, ref);
  }

  private async route(scope: AdminScope, organizationId: string, projectRef: string, id: string): Promise<{ project: ProjectEntity; route: DynamicRouteEntity }> {
    const project = await this.project(scope, organizationId, projectRef);
    const route = isUuid(id) ? await this.routes.findById(project.id, id) : await this.routes.findByName(project.id, id);
    if (!route) throw notFound(`Route '${id}' not found.`, 'route_not_found');
    return { project, route };
  }

  private publish(project: ProjectEntity): Promise<void> {
    return this.events.publish({ type: 'routes.changed', organizationId: project.organizationId, projectId: project.id });
  }
}
