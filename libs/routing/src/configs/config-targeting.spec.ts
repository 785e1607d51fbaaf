import { chooseRule, type TargetingRule } from './config-targeting';
import { checkJsonLogic } from './json-logic';

const rule = (name: string, fields: Partial<TargetingRule> = {}): TargetingRule & { name: string } => ({ name, priority: 0, weight: 100, environment: null, conditions: null, ...fields });
const ctx = (data: Record<string, unknown> = {}, environment = 'default') => ({ environment, data });

describe('chooseRule: config targeting', () => {
  it('evaluates JSONLogic conditions over the request', () => {
    const rules = [rule('pro', { priority: 10, conditions: { '==': [{ var: 'metadata.plan' }, 'pro'] } }), rule('rest')];
    expect(chooseRule(rules, ctx({ metadata: { plan: 'pro' } }), Math.random)?.name).toBe('pro');
    expect(chooseRule(rules, ctx({ metadata: { plan: 'free' } }), Math.random)?.name).toBe('rest');
    expect(chooseRule(rules, ctx({}), Math.random)?.name).toBe('rest');
  });

  it('reads input, body and customer fields and combines operators', () => {
    const conditions = { and: [{ in: [{ var: 'input.locale' }, ['de', 'fr']] }, { '>': [{ var: 'body.max_tokens' }, 100] }, { '!!': { var: 'customer.identifier' } }] };
    const rules = [rule('eu', { priority: 1, conditions }), rule('rest')];
    expect(chooseRule(rules, ctx({ input: { locale: 'de' }, body: { max_tokens: 200 }, customer: { identifier: 'c1' } }), Math.random)?.name).toBe('eu');
    expect(chooseRule(rules, ctx({ input: { locale: 'de' }, body: { max_tokens: 50 }, customer: { identifier: 'c1' } }), Math.random)?.name).toBe('rest');
    expect(chooseRule(rules, ctx({ input: { locale: 'en' }, body: { max_tokens: 200 }, customer: { identifier: 'c1' } }), Math.random)?.name).toBe('rest');
  });

  it('takes the highest priority that matches, whatever the weights below it', () => {
    const rules = [rule('low', { priority: 1, weight: 10_000 }), rule('high', { priority: 5, weight: 1 })];
    for (let i = 0; i < 100; i++) expect(chooseRule(rules, ctx(), Math.random)?.name).toBe('high');
  });

  it('applies a rule only in its environment (the project slug)', () => {
    const rules = [rule('prod', { priority: 2, environment: 'production' }), rule('any')];
    expect(chooseRule(rules, ctx({}, 'production'), Math.random)?.name).toBe('prod');
    expect(chooseRule(rules, ctx({}, 'staging'), Math.random)?.name).toBe('any');
    expect(chooseRule([rule('prod', { environment: 'production' })], ctx({}, 'staging'), Math.random)).toBeUndefined();
  });

  it('splits rules of the same priority by weight: 10,000 draws of 70/20/10 within 2 points', () => {
    const rules = [rule('a', { weight: 7000 }), rule('b', { weight: 2000 }), rule('c', { weight: 1000 })];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[chooseRule(rules, ctx(), Math.random)!.name]! += 1;
    expect(Math.abs(counts['a']! / 100 - 70)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts['b']! / 100 - 20)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts['c']! / 100 - 10)).toBeLessThanOrEqual(2);
  });

  it('splits only among the rules whose conditions hold: 10,000 draws of 90/10', () => {
    const rules = [
      rule('never', { weight: 5000, conditions: { '==': [{ var: 'metadata.plan' }, 'enterprise'] } }),
      rule('a', { weight: 90 }),
      rule('b', { weight: 10 }),
    ];
    let a = 0;
    for (let i = 0; i < 10_000; i++) {
      const chosen = chooseRule(rules, ctx({ metadata: { plan: 'pro' } }), Math.random)!.name;
      expect(chosen).not.toBe('never');
      if (chosen === 'a') a += 1;
    }
    expect(Math.abs(a / 100 - 90)).toBeLessThanOrEqual(2);
  });

  it('draws at the edges of the split and takes the first rule when all weights are 0', () => {
    const rules = [rule('a', { weight: 1 }), rule('b', { weight: 3 })];
    expect(chooseRule(rules, ctx(), () => 0)?.name).toBe('a');
    expect(chooseRule(rules, ctx(), () => 0.2499)?.name).toBe('a');
    expect(chooseRule(rules, ctx(), () => 0.25)?.name).toBe('b');
    expect(chooseRule(rules, ctx(), () => 0.9999)?.name).toBe('b');
    expect(chooseRule([rule('x', { weight: 0 }), rule('y', { weight: 0 })], ctx(), () => 0.9)?.name).toBe('x');
  });
});

describe('checkJsonLogic: conditions checked when saved', () => {
  it('accepts standard rules', () => {
    expect(() => checkJsonLogic({ and: [{ '==': [{ var: 'metadata.plan' }, 'pro'] }, { some: [{ var: 'body.messages' }, { '==': [{ var: 'role' }, 'system'] }] }] }, 'c')).not.toThrow();
    expect(() => checkJsonLogic({ var: ['metadata.plan', 'free'] }, 'c')).not.toThrow();
  });

  it('refuses unknown operations, `log`, computed paths and paths that reach code, naming where', () => {
    expect(() => checkJsonLogic({ method: [{ var: 'body' }, 'toString'] }, 'rules[0].conditions')).toThrow(expect.objectContaining({ param: 'rules[0].conditions', code: 'invalid_condition' }));
    expect(() => checkJsonLogic({ and: [true, { log: 'x' }] }, 'c')).toThrow(expect.objectContaining({ param: 'c.and[1]' }));
    expect(() => checkJsonLogic({ var: { cat: ['constr', 'uctor'] } }, 'c')).toThrow(/literal path/);
    expect(() => checkJsonLogic({ '==': [{ var: 'body.constructor' }, 1] }, 'c')).toThrow(/may not read/);
    expect(() => checkJsonLogic({ '==': [1, 1], '!=': [1, 2] }, 'c')).toThrow(/one operation/);
  });
});
