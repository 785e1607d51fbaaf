import type { ChatRequest } from '@switchyard/types';
import type { CatalogModel } from '../catalog/catalog';
import type { SkipReason } from './route-trace';

/** What a chat request needs of a model, worked out once per request (only when there is a choice of targets). */
export interface RequestNeeds {
  tools: boolean;
  vision: boolean;
  jsonSchema: boolean;
  /** Estimated prompt tokens (4 characters a token) plus the requested output tokens. */
  tokens: number;
}

export function needsOf(request: ChatRequest): RequestNeeds {
  let chars = 0;
  let vision = false;
  for (const m of request.messages) {
    const content = (m as { content?: unknown }).content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content as { type?: string; text?: string }[]) {
        if (part.type === 'image_url') vision = true;
        else if (typeof part.text === 'string') chars += part.text.length;
      }
    }
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  const output = request.max_completion_tokens ?? request.max_tokens ?? 0;
  return {
    tools: (request.tools?.length ?? 0) > 0,
    vision,
    jsonSchema: request.response_format?.type === 'json_schema',
    tokens: Math.ceil(chars / 4) + output,
  };
}

/** Why the catalog says the model cannot serve the request; null when it can (or the catalog does not know it). */
export function incapability(needs: RequestNeeds, model: CatalogModel | undefined): SkipReason | null {
  if (!model) return null;
  const can = model.capabilities;
  if (needs.tools && !can.includes('tools')) return 'no_tools';
  if (needs.vision && !can.includes('vision')) return 'no_vision';
  if (needs.jsonSchema && !can.includes('json_schema')) return 'no_json_schema';
  if (model.context_window > 0 && needs.tokens > model.context_window) return 'context_window';
  return null;
}
