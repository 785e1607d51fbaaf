import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { ProjectResource } from './project-resource';

/** What a config variant version sets on a request: the model, a system prompt template and sampling parameters. */
export interface ConfigVariantData {
  model: string | null;
  system_prompt: string | null;
  parameters: Record<string, unknown>;
}

/** An LLMOps config of a project, named in requests by `x-gateway-config: <id or slug>`. */
@Entity({ name: 'configs' })
export class ConfigEntity extends ProjectResource {
  @Column('text')
  slug!: string;
}

/** A variant of a config (e.g. `control`, `candidate`); what it sets lives in its versions. */
@Entity({ name: 'config_variants' })
export class ConfigVariantEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'config_id' })
  configId!: string;

  @Column('text')
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One saved version of a variant (1, 2, …); a rule pins one or follows the latest. */
@Entity({ name: 'config_variant_versions' })
export class ConfigVariantVersionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'variant_id' })
  variantId!: string;

  @Column('int')
  version!: number;

  @Column('jsonb')
  data!: ConfigVariantData;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A targeting rule: which variant (pinned version or latest) serves the requests it matches. */
@Entity({ name: 'config_rules' })
export class ConfigRuleEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'config_id' })
  configId!: string;

  @Column('uuid', { name: 'variant_id' })
  variantId!: string;

  @Column('uuid', { name: 'variant_version_id', nullable: true })
  variantVersionId!: string | null;

  @Column('text', { nullable: true })
  environment!: string | null;

  @Column('int')
  priority!: number;

  @Column('int')
  weight!: number;

  @Column('jsonb', { nullable: true })
  conditions!: unknown;

  @Column('boolean')
  enabled!: boolean;

  @Column('int')
  position!: number;
}
