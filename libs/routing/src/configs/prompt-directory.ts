import type { GatewayEventBus } from '@switchyard/auth';
import type { PromptsRepository, PromptVersionData } from '@switchyard/persistence';
import { isUuid } from '@switchyard/types';
import { ProjectCache } from './project-cache';
import { compileSafeTemplate } from './safe-template';

/** A prompt version as requests get it: message templates compiled. */
export interface ServingPromptVersion {
  version: number;
  model: string | null;
  parameters: Readonly<Record<string, unknown>>;
  render(variables: Readonly<Record<string, unknown>>): Record<string, unknown>[];
}

export interface ServingPrompt {
  id: string;
  name: string;
  deployed: number | null;
  /** The newest version's number. */
  latest: number;
  versions: ReadonlyMap<number, ServingPromptVersion>;
}

/**
 * The saved prompts of each project that requests named, compiled, in memory: a prompt is read on its first request
 * (by id or name), dropped with its project's on `prompts.changed` (every replica). An unknown prompt is not remembered.
 */
export class PromptDirectory {
  private readonly projects: ProjectCache<Map<string, Promise<ServingPrompt | null>>>;

  constructor(
    private readonly repository: Pick<PromptsRepository, 'served'>,
    events: Pick<GatewayEventBus, 'onEvent' | 'onResync'>,
    now?: () => number,
  ) {
    this.projects = new ProjectCache(async () => new Map(), 'prompts.changed', events, now);
  }

  async promptOf(projectId: string, ref: string): Promise<ServingPrompt | null> {
    const prompts = await this.projects.get(projectId);
    let entry = prompts.get(ref);
    if (!entry) {
      entry = this.load(projectId, ref);
      prompts.set(ref, entry);
      entry.then(
        (p) => p || prompts.delete(ref),
        () => prompts.delete(ref),
      );
    }
    return entry;
  }

  private async load(projectId: string, ref: string): Promise<ServingPrompt | null> {
    const served = await this.repository.served(projectId, isUuid(ref) ? { id: ref } : { name: ref });
    if (!served) return null;
    const versions = new Map(served.versions.map((v) => [v.version, compileVersion(v.version, v.data)]));
    return { id: served.prompt.id, name: served.prompt.name, deployed: served.prompt.deployedVersion, latest: Math.max(0, ...versions.keys()), versions };
  }
}

function compileVersion(version: number, data: PromptVersionData): ServingPromptVersion {
  const messages = data.messages.map((m, i) => ({ message: m, template: compileSafeTemplate(m.content, `messages[${i}].content`) }));
  return {
    version,
    model: data.model,
    parameters: data.parameters,
    render: (variables) => messages.map(({ message, template }) => ({ ...message, content: template.render(variables) })),
  };
}
