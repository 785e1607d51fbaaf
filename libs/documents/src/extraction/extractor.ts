import type { CallContext, ChatMessage } from '@switchyard/types';
import type { ChatCaller, ModelParams } from '../engines/chat-caller';
import { contentOf, usageOf } from '../engines/llm-ocr.engine';
import { EXTRACT_SYSTEM_PROMPT, stripCodeFence } from '../engines/prompts';
import { compileSchema, describeErrors } from './schema-validator';

export interface ExtractionResult {
  data: unknown;
  valid: boolean;
  /** Validation errors of the last answer when it never validated. */
  errors?: string[];
  attempts: number;
  usage: { input_tokens: number; output_tokens: number; cost: number };
}

/**
 * Structured extraction: the Markdown and the schema go to the model with `response_format:
 * json_schema`; the answer is validated with ajv, and an invalid answer is sent back with the
 * validation errors, up to `retries` more times. Temperature 0 unless `params` sets it.
 */
export async function extractStructured(
  caller: ChatCaller,
  ctx: CallContext,
  input: { model: string; params?: ModelParams; markdown: string; schema: Record<string, unknown>; retries: number; signal?: AbortSignal },
): Promise<ExtractionResult> {
  const validate = compileSchema(input.schema);
  const usage = { input_tokens: 0, output_tokens: 0, cost: 0 };
  const messages: ChatMessage[] = [
    { role: 'system', content: EXTRACT_SYSTEM_PROMPT },
    {
      role: 'user',
      content: `JSON Schema:\n${JSON.stringify(input.schema)}\n\nDocument (Markdown):\n\n${input.markdown}`,
    },
  ];
  let data: unknown = null;
  let errors: string[] = [];
  let attempts = 0;
  for (let attempt = 0; attempt <= input.retries; attempt++) {
    attempts++;
    const res = await caller.chat(
      ctx,
      {
        model: input.model,
        temperature: 0,
        ...input.params,
        messages,
        response_format: { type: 'json_schema', json_schema: { name: 'extraction', schema: input.schema, strict: false } },
      },
      { signal: input.signal },
    );
    const u = usageOf(res);
    usage.input_tokens += u.inputTokens;
    usage.output_tokens += u.outputTokens;
    usage.cost += u.cost;
    const content = contentOf(res);
    try {
      data = JSON.parse(stripCodeFence(content));
    } catch (err) {
      data = null;
      errors = [`the answer is not valid JSON (${(err as Error).message})`];
      messages.push({ role: 'assistant', content }, { role: 'user', content: retryPrompt(errors) });
      continue;
    }
    if (validate(data)) return { data, valid: true, attempts, usage };
    errors = describeErrors(validate.errors);
    messages.push({ role: 'assistant', content }, { role: 'user', content: retryPrompt(errors) });
  }
  return { data, valid: false, errors, attempts, usage };
}

const retryPrompt = (errors: string[]) =>
  `Your JSON does not conform to the schema:\n${errors.map((e) => `- ${e}`).join('\n')}\nAnswer again with only the corrected JSON object.`;
