import type { DataSource, Repository } from 'typeorm';
import { DocumentTemplateEntity } from '../entities';

type ScalarColumns = Omit<DocumentTemplateEntity, 'template' | 'schema'>;

export class DocumentTemplatesRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Typed on the scalar columns only: TypeORM's find-option types recurse without end into the JSON
   * columns' recursive type.
   */
  private get repo(): Repository<ScalarColumns> {
    return this.ds.getRepository(DocumentTemplateEntity) as unknown as Repository<ScalarColumns>;
  }

  async insert(projectId: string, t: DocumentTemplateEntity): Promise<void> {
    t.projectId = projectId;
    await this.repo.insert(t as never);
  }

  findById(projectId: string, id: string): Promise<DocumentTemplateEntity | null> {
    return this.repo.findOneBy({ projectId, id }) as Promise<DocumentTemplateEntity | null>;
  }

  findByName(projectId: string, name: string): Promise<DocumentTemplateEntity | null> {
    return this.repo.findOneBy({ projectId, name }) as Promise<DocumentTemplateEntity | null>;
  }

  list(projectId: string): Promise<DocumentTemplateEntity[]> {
    return this.repo.find({ where: { projectId }, order: { id: 'DESC' } }) as Promise<DocumentTemplateEntity[]>;
  }

  async save(projectId: string, t: DocumentTemplateEntity): Promise<void> {
    if (t.projectId !== projectId) throw new Error('template does not belong to the project');
    t.modifiedAt = new Date();
    await this.repo.save(t);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const res = await this.repo.delete({ projectId, id });
    return (res.affected ?? 0) > 0;
  }
}
