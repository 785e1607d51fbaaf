import { Inject, Injectable } from '@nestjs/common';
import { DocumentTemplateEntity, DocumentTemplatesRepository } from '@switchyard/persistence';
import { conflict, isUuid, newId, notFound, parseOr400, type JsonObject, type Principal } from '@switchyard/types';
import { checkSchema, schemaFromTemplate } from '../jobs/job-options.service';
import { DOCUMENTS_TENANCY, projectOfRequest, type DocumentsTenancy } from '../documents-tenancy';
import { createTemplateSchema, updateTemplateSchema } from './dtos';

/** Extraction templates of a project: stored as JSON Schema, with the example-shaped template kept when given. */
@Injectable()
export class TemplatesService {
  constructor(
    @Inject(DOCUMENTS_TENANCY) private readonly tenancy: DocumentsTenancy,
    private readonly templates: DocumentTemplatesRepository,
  ) {}

  async create(principal: Principal, slug: string | undefined, input: unknown) {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    const dto = parseOr400(createTemplateSchema, input);
    // The schema first: it refuses a template that is not JSON with a 400 (before it is parsed below).
    const schema = dto.schema ?? schemaFromTemplate(dto.template);
    const template = dto.template === undefined ? null : typeof dto.template === 'string' ? JSON.parse(dto.template) : dto.template;
    checkSchema(schema);
    if (await this.templates.findByName(project.id, dto.name)) throw conflict(`A template named '${dto.name}' exists.`, 'template_exists', 'name');
    const now = new Date();
    const row = Object.assign(new DocumentTemplateEntity(), {
      id: newId(),
      name: dto.name,
      description: dto.description ?? null,
      template,
      schema,
      createdAt: now,
      modifiedAt: now,
    });
    await this.templates.insert(project.id, row);
    return this.view(row);
  }

  async list(principal: Principal, slug: string | undefined) {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    return { data: (await this.templates.list(project.id)).map((t) => this.view(t)), next_cursor: null };
  }

  async get(principal: Principal, slug: string | undefined, id: string) {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    return this.view(await this.require(project.id, id));
  }

  async update(principal: Principal, slug: string | undefined, id: string, input: unknown) {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    const row = await this.require(project.id, id);
    const dto = parseOr400(updateTemplateSchema, input);
    if (dto.name !== undefined && dto.name !== row.name) {
      if (await this.templates.findByName(project.id, dto.name)) throw conflict(`A template named '${dto.name}' exists.`, 'template_exists', 'name');
      row.name = dto.name;
    }
    if (dto.description !== undefined) row.description = dto.description;
    if (dto.template !== undefined) {
      row.schema = schemaFromTemplate(dto.template) as JsonObject; // built from JSON: JSON
      row.template = typeof dto.template === 'string' ? JSON.parse(dto.template) : dto.template;
    } else if (dto.schema !== undefined) {
      row.schema = dto.schema as JsonObject; // parsed from a JSON body
      row.template = null;
    }
    checkSchema(row.schema);
    await this.templates.save(project.id, row);
    return this.view(row);
  }

  async delete(principal: Principal, slug: string | undefined, id: string) {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    if (!isUuid(id) || !(await this.templates.delete(project.id, id))) throw notFound(`Template '${id}' not found.`, 'template_not_found');
    return { id, deleted: true };
  }

  private async require(projectId: string, id: string): Promise<DocumentTemplateEntity> {
    const row = isUuid(id) ? await this.templates.findById(projectId, id) : null;
    if (!row) throw notFound(`Template '${id}' not found.`, 'template_not_found');
    return row;
  }

  private view(t: DocumentTemplateEntity) {
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      template: t.template ?? null,
      schema: t.schema,
      created_at: t.createdAt.toISOString(),
      modified_at: t.modifiedAt.toISOString(),
    };
  }
}
