import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { ProjectResource } from './project-resource';

/** A dynamic route of a project, called as `dynamic/<name>`; `deployedVersionId` is the live version. */
@Entity({ name: 'dynamic_routes' })
export class DynamicRouteEntity extends ProjectResource {
  @Column('uuid', { name: 'deployed_version_id', nullable: true })
  deployedVersionId!: string | null;
}

/** One saved version of a route: the validated element JSON (`{elements: [...]}`). */
@Entity({ name: 'dynamic_route_versions' })
export class DynamicRouteVersionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'route_id' })
  routeId!: string;

  @Column('jsonb')
  data!: { elements: unknown[] };

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A deployment: the version made live, kept as the route's history (a rollback is a deployment of an older version). */
@Entity({ name: 'dynamic_route_deployments' })
export class DynamicRouteDeploymentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'route_id' })
  routeId!: string;

  @Column('uuid', { name: 'version_id' })
  versionId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
