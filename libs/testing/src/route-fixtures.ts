/** The dynamic route of seed-products.md's worked example (free plan -> cheap model; others 90/10 under a $5/day per-user budget), with a provider we serve for the cheap model (Workers AI is not one). */
export const supportRoute = () => ({
  name: 'support',
  elements: [
    { id: 's', type: 'start', outputs: { next: { elementId: 'c' } } },
    {
      id: 'c',
      type: 'conditional',
      properties: { conditions: { 'metadata.plan': { $eq: 'free' } } },
      outputs: { true: { elementId: 'm_cheap' }, false: { elementId: 'budget' } },
    },
    {
      id: 'budget',
      type: 'rate',
      properties: { key: 'metadata.user_id', limitType: 'cost', limit: 5, window: 86400 },
      outputs: { success: { elementId: 'split' }, fallback: { elementId: 'm_cheap' } },
    },
    { id: 'split', type: 'percentage', outputs: { '90%': { elementId: 'm_a' }, else: { elementId: 'm_b' } } },
    {
      id: 'm_a',
      type: 'model',
      properties: { provider: 'openai', model: 'gpt-4.1', timeout: 60000, retries: 2 },
      outputs: { success: { elementId: 'e' }, fallback: { elementId: 'm_cheap' } },
    },
    {
      id: 'm_b',
      type: 'model',
      properties: { provider: 'anthropic', model: 'claude-sonnet-4-5', timeout: 60000, retries: 2 },
      outputs: { success: { elementId: 'e' }, fallback: { elementId: 'm_cheap' } },
    },
    {
      id: 'm_cheap',
      type: 'model',
      properties: { provider: 'groq', model: 'llama-3.1-8b-instant', timeout: 30000, retries: 1 },
      outputs: { success: { elementId: 'e' }, fallback: { elementId: 'e' } },
    },
    { id: 'e', type: 'end', outputs: {} },
  ],
});
