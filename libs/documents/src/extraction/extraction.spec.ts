import type { ChatCompletion } from '@switchyard/types';
import type { ChatCaller } from '../engines/chat-caller';
import { stripCodeFence } from '../engines/prompts';
import { extractStructured } from './extractor';
import { compileSchema } from './schema-validator';
import { templateToSchema } from './template-schema';

const reply = (content: string): ChatCompletion => ({
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

describe('templateToSchema', () => {
  it('converts the Dynamiq example-shaped template into a strict JSON Schema', () => {
    const schema = templateToSchema({ store_name: 'string', total_amount: 'number', paid: 'boolean', items: [{ name: 'string', quantity: 'integer' }] });
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['store_name', 'total_amount', 'paid', 'items'],
      properties: {
        store_name: { type: ['string', 'null'] },
        total_amount: { type: ['number', 'null'] },
        paid: { type: ['boolean', 'null'] },
        items: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'quantity'],
            properties: { name: { type: ['string', 'null'] }, quantity: { type: ['integer', 'null'] } },
          },
        },
      },
    });
    const validate = compileSchema(schema);
    expect(validate({ store_name: 'A', total_amount: null, paid: true, items: [{ name: 'x', quantity: 2 }] })).toBe(true);
    expect(validate({ store_name: 'A', total_amount: '1', paid: true, items: [] })).toBe(false);
  });

  it('treats other strings as described string fields', () => {
    expect(templateToSchema({ vendor: 'the name of the vendor' })).toMatchObject({
      properties: { vendor: { type: ['string', 'null'], description: 'the name of the vendor' } },
    });
  });
});

describe('extractStructured', () => {
  const schema = templateToSchema({ total: 'number' });
  const ctx = { organizationId: 'o', projectId: 'p', keyId: null };

  it('retries with the validation errors and stops at the first valid answer', async () => {
    const answers = ['{"total":"12"}', '```json\n{"total":12}\n```'];
    const bodies: Record<string, unknown>[] = [];
    const caller: ChatCaller = { chat: async (_c, body) => (bodies.push(body), reply(answers.shift()!)) };
    const out = await extractStructured(caller, ctx, { model: 'm', markdown: '# Total 12', schema, retries: 3 });
    expect(out).toMatchObject({ data: { total: 12 }, valid: true, attempts: 2, usage: { input_tokens: 20, output_tokens: 10 } });
    expect(bodies[0]).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'extraction', schema } } });
    expect(JSON.stringify(bodies[1])).toContain('/total must be number,null');
  });

  it('reports the last answer as invalid after the retries run out', async () => {
    const caller: ChatCaller = { chat: async () => reply('not json') };
    const out = await extractStructured(caller, ctx, { model: 'm', markdown: '', schema, retries: 1 });
    expect(out.valid).toBe(false);
    expect(out.attempts).toBe(2);
    expect(out.errors?.[0]).toMatch(/not valid JSON/);
  });

  it('strips a code fence a model adds around Markdown', () => {
    expect(stripCodeFence('```markdown\n# Title\n```')).toBe('# Title');
    expect(stripCodeFence('# Title')).toBe('# Title');
  });
});
