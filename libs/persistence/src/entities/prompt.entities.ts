import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { ProjectResource } from './project-resource';

/** What a prompt version holds: its messages (contents are Nunjucks templates over `prompt.variables`), a model, parameters. */
export interface PromptVersionData {
  messages: { role: string; content: string; [field: string]: unknown }[];
  model: string | null;
  parameters: Record<string, unknown>;
}

/** A saved prompt of a project (Keywords AI `prompt.prompt_id`); `deployedVersion` is what requests without `version` get. */
@Entity({ name: 'prompts' })
export class PromptEntity extends ProjectResource {
  @Column('int', { name: 'deployed_version', nullable: true })
  deployedVersion!: number | null;
}

/** One version of a prompt (1, 2, …): drafts until deployed. */
@Entity({ name: 'prompt_versions' })
export class PromptVersionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'prompt_id' })
  promptId!: string;

  @Column('int')
  version!: number;

  @Column('jsonb')
  data!: PromptVersionData;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
