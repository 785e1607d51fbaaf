import type { DataSource } from 'typeorm';
import { newId } from '@switchyard/types';
import { DynamicRouteDeploymentEntity, DynamicRouteEntity, DynamicRouteVersionEntity } from '../entities';

/** A route with its versions and deployments; every finder takes the project. */
export class DynamicRoutesRepository {
  constructor(private readonly ds: DataSource) {}

  list(projectId: string): Promise<DynamicRouteEntity[]> {
    return this.ds.getRepository(DynamicRouteEntity).find({ where: { projectId }, order: { createdAt: 'ASC' } });
  }

  findById(projectId: string, id: string): Promise<DynamicRouteEntity | null> {
    return this.ds.getRepository(DynamicRouteEntity).findOneBy({ projectId, id });
  }

  findByName(projectId: string, name: string): Promise<DynamicRouteEntity | null> {
    return this.ds.getRepository(DynamicRouteEntity).findOneBy({ projectId, name });
  }

  /** Creates a route with its first version, deployed, in one transaction. */
  create(projectId: string, name: string, data: { elements: unknown[] }): Promise<{ route: DynamicRouteEntity; version: DynamicRouteVersionEntity }> {
    return this.ds.transaction(async (m) => {
      const routeId = newId();
      const version = Object.assign(new DynamicRouteVersionEntity(), { id: newId(), routeId, data });
      const route = await m.save(Object.assign(new DynamicRouteEntity(), { id: routeId, projectId, name, deployedVersionId: null as string | null }));
      const savedVersion = await m.save(version);
      route.deployedVersionId = savedVersion.id;
      await m.save(route);
      await m.save(Object.assign(new DynamicRouteDeploymentEntity(), { id: newId(), routeId, versionId: savedVersion.id }));
      return { route, version: savedVersion };
    });
  }

  rename(projectId: string, route: DynamicRouteEntity, name: string): Promise<DynamicRouteEntity> {
    if (route.projectId !== projectId) throw new Error('route of another project');
    route.name = name;
    return this.ds.getRepository(DynamicRouteEntity).save(route);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.ds.getRepository(DynamicRouteEntity).delete({ projectId, id });
    return (result.affected ?? 0) > 0;
  }

  /** The route's versions, oldest first (the route must be the project's: callers look it up with findById). */
  listVersions(route: DynamicRouteEntity): Promise<DynamicRouteVersionEntity[]> {
    return this.ds.getRepository(DynamicRouteVersionEntity).find({ where: { routeId: route.id }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findVersion(route: DynamicRouteEntity, versionId: string): Promise<DynamicRouteVersionEntity | null> {
    return this.ds.getRepository(DynamicRouteVersionEntity).findOneBy({ routeId: route.id, id: versionId });
  }

  addVersion(route: DynamicRouteEntity, data: { elements: unknown[] }): Promise<DynamicRouteVersionEntity> {
    return this.ds.getRepository(DynamicRouteVersionEntity).save(Object.assign(new DynamicRouteVersionEntity(), { id: newId(), routeId: route.id, data }));
  }

  listDeployments(route: DynamicRouteEntity): Promise<DynamicRouteDeploymentEntity[]> {
    return this.ds.getRepository(DynamicRouteDeploymentEntity).find({ where: { routeId: route.id }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Makes `versionId` (a version of the route) live and records the deployment, in one transaction. */
  deploy(route: DynamicRouteEntity, versionId: string): Promise<DynamicRouteDeploymentEntity> {
    return this.ds.transaction(async (m) => {
      await m.update(DynamicRouteEntity, { id: route.id, projectId: route.projectId }, { deployedVersionId: versionId });
      route.deployedVersionId = versionId;
      return m.save(Object.assign(new DynamicRouteDeploymentEntity(), { id: newId(), routeId: route.id, versionId }));
    });
  }

  /** Every deployed route of a project with its live document: what the router holds in memory. */
  async deployed(projectId: string): Promise<{ name: string; versionId: string; data: { elements: unknown[] } }[]> {
    const rows: { name: string; version_id: string; data: { elements: unknown[] } }[] = await this.ds.query(
      `SELECT r.name, v.id AS version_id, v.data FROM dynamic_routes r JOIN dynamic_route_versions v ON v.id = r.deployed_version_id WHERE r.project_id = $1`,
      [projectId],
    );
    return rows.map((r) => ({ name: r.name, versionId: r.version_id, data: r.data }));
  }
}
