import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '@switchyard/types';
import { ConfigEntity, ConfigRuleEntity, ConfigVariantEntity, ConfigVariantVersionEntity, type ConfigVariantData } from '../entities';

/** A targeting rule as saved (the variant and pinned version already resolved to ids). */
export type ConfigRuleInput = Omit<ConfigRuleEntity, 'id' | 'configId' | 'position'>;

/** A config with what the router needs to serve it: its rules, and each version a rule can reach (pinned, or its variant's latest). */
export interface ServedConfig {
  config: ConfigEntity;
  variants: Map<string, string>;
  rules: ConfigRuleEntity[];
  /** By version id. */
  versions: Map<string, ConfigVariantVersionEntity>;
  /** By variant id: the latest version's id. */
  latest: Map<string, string>;
}

/** A project's configs with variants, versions and targeting rules; every finder takes the project. */
export class ConfigsRepository {
  constructor(private readonly ds: DataSource) {}

  list(projectId: string): Promise<ConfigEntity[]> {
    return this.ds.getRepository(ConfigEntity).find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findById(projectId: string, id: string): Promise<ConfigEntity | null> {
    return this.ds.getRepository(ConfigEntity).findOneBy({ projectId, id });
  }

  findBySlug(projectId: string, slug: string): Promise<ConfigEntity | null> {
    return this.ds.getRepository(ConfigEntity).findOneBy({ projectId, slug });
  }

  save(projectId: string, row: ConfigEntity): Promise<ConfigEntity> {
    row.projectId = projectId;
    return this.ds.getRepository(ConfigEntity).save(row);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.ds.getRepository(ConfigEntity).delete({ projectId, id });
    return (result.affected ?? 0) > 0;
  }

  listVariants(config: ConfigEntity): Promise<ConfigVariantEntity[]> {
    return this.ds.getRepository(ConfigVariantEntity).find({ where: { configId: config.id }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findVariant(config: ConfigEntity, by: { id: string } | { name: string }): Promise<ConfigVariantEntity | null> {
    return this.ds.getRepository(ConfigVariantEntity).findOneBy({ configId: config.id, ...by });
  }

  /** Creates a variant with its version 1, in one transaction. */
  createVariant(config: ConfigEntity, name: string, data: ConfigVariantData): Promise<{ variant: ConfigVariantEntity; version: ConfigVariantVersionEntity }> {
    return this.ds.transaction(async (m) => {
      const variant = await m.save(Object.assign(new ConfigVariantEntity(), { id: newId(), configId: config.id, name }));
      const version = await m.save(Object.assign(new ConfigVariantVersionEntity(), { id: newId(), variantId: variant.id, version: 1, data }));
      return { variant, version };
    });
  }

  async deleteVariant(variant: ConfigVariantEntity): Promise<void> {
    await this.ds.getRepository(ConfigVariantEntity).delete({ id: variant.id, configId: variant.configId });
  }

  listVersions(variant: ConfigVariantEntity): Promise<ConfigVariantVersionEntity[]> {
    return this.ds.getRepository(ConfigVariantVersionEntity).find({ where: { variantId: variant.id }, order: { version: 'ASC' } });
  }

  findVersion(variant: ConfigVariantEntity, version: number): Promise<ConfigVariantVersionEntity | null> {
    return this.ds.getRepository(ConfigVariantVersionEntity).findOneBy({ variantId: variant.id, version });
  }

  /** Saves the variant's next version (the variant row locked, so two saves never get the same number). */
  addVersion(variant: ConfigVariantEntity, data: ConfigVariantData): Promise<ConfigVariantVersionEntity> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT id FROM config_variants WHERE id = $1 FOR UPDATE`, [variant.id]);
      const [row] = (await m.query(`SELECT COALESCE(MAX(version), 0) + 1 AS next FROM config_variant_versions WHERE variant_id = $1`, [variant.id])) as { next: number }[];
      return m.save(Object.assign(new ConfigVariantVersionEntity(), { id: newId(), variantId: variant.id, version: Number(row?.next ?? 1), data }));
    });
  }

  async versionsByIds(ids: string[]): Promise<Map<string, ConfigVariantVersionEntity>> {
    if (!ids.length) return new Map();
    const rows = await this.ds.getRepository(ConfigVariantVersionEntity).createQueryBuilder('x').where('x.id = ANY(:ids)', { ids }).getMany();
    return new Map(rows.map((v) => [v.id, v]));
  }

  listRules(config: ConfigEntity): Promise<ConfigRuleEntity[]> {
    return this.ds.getRepository(ConfigRuleEntity).find({ where: { configId: config.id }, order: { position: 'ASC' } });
  }

  /** Replaces the config's targeting rules with `rules` (in their order), in one transaction. */
  replaceRules(config: ConfigEntity, rules: ConfigRuleInput[]): Promise<ConfigRuleEntity[]> {
    return this.ds.transaction(async (m: EntityManager) => {
      await m.delete(ConfigRuleEntity, { configId: config.id });
      const rows = rules.map((r, position) => Object.assign(new ConfigRuleEntity(), { ...r, id: newId(), configId: config.id, position }));
      return rows.length ? m.save(rows) : [];
    });
  }

  /** Every config of a project as the router serves it, in four queries whatever the number of configs. */
  async served(projectId: string): Promise<ServedConfig[]> {
    const configs = await this.list(projectId);
    if (!configs.length) return [];
    const ids = configs.map((c) => c.id);
    const [variants, rules] = await Promise.all([
      this.ds.getRepository(ConfigVariantEntity).createQueryBuilder('v').where('v.config_id = ANY(:ids)', { ids }).getMany(),
      this.ds.getRepository(ConfigRuleEntity).createQueryBuilder('r').where('r.config_id = ANY(:ids)', { ids }).orderBy('r.position', 'ASC').getMany(),
    ]);
    const variantIds = variants.map((v) => v.id);
    const pinned = rules.flatMap((r) => (r.variantVersionId ? [r.variantVersionId] : []));
    const versions: ConfigVariantVersionEntity[] = variantIds.length
      ? await this.ds
          .getRepository(ConfigVariantVersionEntity)
          .createQueryBuilder('x')
          .where('x.id = ANY(:pinned)', { pinned })
          .orWhere('(x.variant_id, x.version) IN (SELECT variant_id, MAX(version) FROM config_variant_versions WHERE variant_id = ANY(:variantIds) GROUP BY variant_id)', { variantIds })
          .getMany()
      : [];
    const latest = new Map<string, ConfigVariantVersionEntity>();
    for (const v of versions) if ((latest.get(v.variantId)?.version ?? 0) < v.version) latest.set(v.variantId, v);
    return configs.map((config) => ({
      config,
      variants: new Map(variants.filter((v) => v.configId === config.id).map((v) => [v.id, v.name])),
      rules: rules.filter((r) => r.configId === config.id),
      versions: new Map(versions.map((v) => [v.id, v])),
      latest: new Map([...latest].map(([variantId, v]) => [variantId, v.id])),
    }));
  }
}
