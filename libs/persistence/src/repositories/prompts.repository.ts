import type { DataSource } from 'typeorm';
import { newId } from '@switchyard/types';
import { PromptEntity, PromptVersionEntity, type PromptVersionData } from '../entities';

/** A project's saved prompts with their versions; every finder takes the project. */
export class PromptsRepository {
  constructor(private readonly ds: DataSource) {}

  list(projectId: string): Promise<PromptEntity[]> {
    return this.ds.getRepository(PromptEntity).find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  find(projectId: string, by: { id: string } | { name: string }): Promise<PromptEntity | null> {
    return this.ds.getRepository(PromptEntity).findOneBy({ projectId, ...by });
  }

  /** Creates a prompt with its version 1, deployed, in one transaction. */
  create(projectId: string, name: string, data: PromptVersionData): Promise<{ prompt: PromptEntity; version: PromptVersionEntity }> {
    return this.ds.transaction(async (m) => {
      const prompt = await m.save(Object.assign(new PromptEntity(), { id: newId(), projectId, name, deployedVersion: 1 }));
      const version = await m.save(Object.assign(new PromptVersionEntity(), { id: newId(), promptId: prompt.id, version: 1, data }));
      return { prompt, version };
    });
  }

  save(prompt: PromptEntity): Promise<PromptEntity> {
    return this.ds.getRepository(PromptEntity).save(prompt);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.ds.getRepository(PromptEntity).delete({ projectId, id });
    return (result.affected ?? 0) > 0;
  }

  listVersions(prompt: PromptEntity): Promise<PromptVersionEntity[]> {
    return this.ds.getRepository(PromptVersionEntity).find({ where: { promptId: prompt.id }, order: { version: 'ASC' } });
  }

  findVersion(prompt: PromptEntity, version: number): Promise<PromptVersionEntity | null> {
    return this.ds.getRepository(PromptVersionEntity).findOneBy({ promptId: prompt.id, version });
  }

  /** Saves the prompt's next version, a draft (the prompt row locked, so two saves never get the same number). */
  addVersion(prompt: PromptEntity, data: PromptVersionData): Promise<PromptVersionEntity> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT id FROM prompts WHERE id = $1 FOR UPDATE`, [prompt.id]);
      const [row] = (await m.query(`SELECT COALESCE(MAX(version), 0) + 1 AS next FROM prompt_versions WHERE prompt_id = $1`, [prompt.id])) as { next: number }[];
      return m.save(Object.assign(new PromptVersionEntity(), { id: newId(), promptId: prompt.id, version: Number(row?.next ?? 1), data }));
    });
  }

  /** A prompt with every version: what a router holds of it once a request names it. */
  async served(projectId: string, ref: { id: string } | { name: string }): Promise<{ prompt: PromptEntity; versions: PromptVersionEntity[] } | null> {
    const prompt = await this.find(projectId, ref);
    return prompt ? { prompt, versions: await this.listVersions(prompt) } : null;
  }
}
