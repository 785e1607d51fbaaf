import type { DataSource } from 'typeorm';
import { DocumentTemplateEntity } from '../entities';

export class DocumentTemplatesRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(DocumentTemplateEntity);
  }

  async insert(projectId: string, t: DocumentTemplateEntity): Promise<void> {
    t.projectId = projectId;
    await this.repo.insert(t as never);
  }

  findById(projectId: string, id: string): Promise<DocumentTemplateEntity | null> {
    return this.repo.findOneBy({ projectId, id });
  }

  findByName(projectId: string, name: string): Promise<DocumentTemplateEntity | null> {
    return this.repo.findOneBy({ projectId, name });
  }

  list(projectId: string): Promise<DocumentTemplateEntity[]> {
    return this.repo.find({ where: { projectId }, order: { id: 'DESC' } });
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
