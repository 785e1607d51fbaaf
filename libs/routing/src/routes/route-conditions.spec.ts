import { compileCondition, ConditionError, evaluateCondition, type ConditionContext } from './route-conditions';

const ctx: ConditionContext = {
  metadata: { plan: 'pro', user_id: 'u1', tier: 3, beta: true },
  headers: { 'user-agent': 'acme-app/2.1 (ios)' },
  body: { model: 'dynamic/support', temperature: 0.2, messages: [{ role: 'user', content: 'hi' }], tools: [] },
  customer: { id: 'cust_9' },
};

const holds = (condition: unknown, context: ConditionContext = ctx) => evaluateCondition(compileCondition(condition), context);

describe('route conditions', () => {
  it.each([
    [{ 'metadata.plan': { $eq: 'pro' } }, true],
    [{ 'metadata.plan': 'pro' }, true],
    [{ 'metadata.plan': { $eq: 'free' } }, false],
    [{ 'metadata.plan': { $ne: 'free' } }, true],
    [{ 'metadata.plan': { $in: ['pro', 'team'] } }, true],
    [{ 'metadata.plan': { $nin: ['pro', 'team'] } }, false],
    [{ 'metadata.tier': { $gt: 2 } }, true],
    [{ 'metadata.tier': { $gte: 3, $lt: 4 } }, true],
    [{ 'metadata.tier': { $lte: 2 } }, false],
    [{ 'metadata.tier': { $gt: '2' } }, false],
    [{ 'metadata.missing': { $exists: false } }, true],
    [{ 'metadata.beta': { $exists: true } }, true],
    [{ 'metadata.missing': { $eq: null } }, true],
    [{ 'headers.user-agent': { $regex: '\\(IOS\\)$', $options: 'i' } }, true],
    [{ 'headers.User-Agent': { $regex: '^acme-app/' } }, true],
    [{ 'body.messages.0.role': 'user' }, true],
    [{ 'body.temperature': { $lt: 0.5 } }, true],
    [{ 'body.tools': [] }, true],
    [{ 'customer.id': { $regex: '^cust_' } }, true],
    [{ 'metadata.plan': { $not: { $eq: 'free' } } }, true],
    [{ $not: { 'metadata.plan': 'pro' } }, false],
    [{ $and: [{ 'metadata.plan': 'pro' }, { 'metadata.tier': { $gte: 3 } }] }, true],
    [{ $or: [{ 'metadata.plan': 'free' }, { 'metadata.beta': true }] }, true],
    [{ $or: [{ 'metadata.plan': 'free' }, { 'metadata.beta': false }] }, false],
    [{ 'metadata.plan': 'pro', 'metadata.user_id': 'u2' }, false],
  ])('%j -> %s', (condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it('reads nothing from an absent path', () => {
    expect(holds({ 'body.messages.5.role': { $exists: true } })).toBe(false);
    expect(holds({ 'body.model.x': { $exists: true } })).toBe(false);
    expect(holds({ 'metadata.plan': { $regex: 'p' } }, { ...ctx, metadata: {} })).toBe(false);
  });

  it.each([
    [{}, '', 'must not be empty'],
    [[], '', 'must be an object'],
    [{ 'metadata.plan': { $foo: 1 } }, 'metadata.plan.$foo', "unknown operator '$foo'"],
    [{ $nor: [] }, '$nor', "unknown operator '$nor'"],
    [{ plan: 'free' }, 'plan', 'is not a field path'],
    [{ 'metadata.': 'free' }, 'metadata.', 'is not a field path'],
    [{ 'headers.authorization': { $exists: true } }, 'headers.authorization', "header 'authorization' may not be used"],
    [{ 'metadata.plan': { $in: 'free' } }, 'metadata.plan.$in', '$in takes an array'],
    [{ 'metadata.tier': { $gt: [1] } }, 'metadata.tier.$gt', 'takes a number or a string'],
    [{ 'metadata.plan': { $exists: 1 } }, 'metadata.plan.$exists', 'takes true or false'],
    [{ 'metadata.plan': { $regex: '(' } }, 'metadata.plan.$regex', 'not a valid regular expression'],
    [{ 'metadata.plan': { $regex: 'a', $options: 'g' } }, 'metadata.plan.$options', '$options takes'],
    [{ $and: [] }, '$and', 'non-empty array'],
    [{ $or: [{ 'metadata.a': 1 }, { nope: 1 }] }, '$or[1].nope', 'is not a field path'],
    [{ 'metadata.plan': { $not: 'free' } }, 'metadata.plan.$not', '$not takes an operator object'],
  ])('refuses %j at %s', (condition, path, message) => {
    let error: unknown;
    try {
      compileCondition(condition);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConditionError);
    expect((error as ConditionError).path).toBe(path);
    expect((error as ConditionError).message).toContain(message);
  });

  it('refuses conditions nested too deep', () => {
    let condition: unknown = { 'metadata.a': 1 };
    for (let i = 0; i < 10; i++) condition = { $not: condition };
    expect(() => compileCondition(condition)).toThrow('nest deeper');
  });
});
