import { keyLimitsSchema } from './limits';

describe('key limits input', () => {
  it('bounds max_budget by what its numeric(14,6) column holds, so a huge budget is a 400 and not a database error', () => {
    expect(keyLimitsSchema.partial().safeParse({ max_budget: 10_000_000 }).success).toBe(true);
    const tooLarge = keyLimitsSchema.partial().safeParse({ max_budget: 100_000_000 });
    expect(tooLarge.success).toBe(false);
    expect(tooLarge.error?.issues[0]?.path).toEqual(['max_budget']);
  });
});
