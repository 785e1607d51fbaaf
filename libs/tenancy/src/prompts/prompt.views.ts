import type { PromptEntity, PromptVersionEntity } from '@switchyard/persistence';

export interface PromptVersionView {
  prompt_id: string;
  version: number;
  deployed: boolean;
  messages: PromptVersionEntity['data']['messages'];
  model: string | null;
  parameters: Record<string, unknown>;
  created_at: string;
}

export interface PromptView {
  id: string;
  name: string;
  /** What requests without `prompt.version` get (null: none deployed). */
  deployed_version: number | null;
  /** The newest version (`prompt.version: "latest"`). */
  latest_version: number;
  created_at: string;
  modified_at: string;
}

export function promptView(p: PromptEntity, latest: number): PromptView {
  return { id: p.id, name: p.name, deployed_version: p.deployedVersion, latest_version: latest, created_at: p.createdAt.toISOString(), modified_at: p.modifiedAt.toISOString() };
}

export function promptVersionView(v: PromptVersionEntity, prompt: PromptEntity): PromptVersionView {
  return {
    prompt_id: v.promptId,
    version: v.version,
    deployed: prompt.deployedVersion === v.version,
    messages: v.data.messages,
    model: v.data.model,
    parameters: v.data.parameters,
    created_at: v.createdAt.toISOString(),
  };
}
