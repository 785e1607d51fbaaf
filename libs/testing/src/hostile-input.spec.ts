import fc from 'fast-check';
import { assertNo5xx, hostileJsonBodies, type RawAnswer } from './hostile-input';

const answer = (status: number): RawAnswer => ({ status, headers: {}, body: '{}', localPort: 0 });
const parses = (body: string) => {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
};

describe('hostileJsonBodies', () => {
  it('mixes valid JSON, invalid text, prototype keys and nesting thousands of levels deep', () => {
    const bodies = fc.sample(hostileJsonBodies(['model', 'messages'], () => ({ model: 'm' })), { numRuns: 300, seed: 42 });
    expect(bodies.every((b) => typeof b === 'string')).toBe(true);
    expect(bodies.some(parses)).toBe(true);
    expect(bodies.some((b) => !parses(b))).toBe(true);
    expect(bodies.some((b) => b.includes('[[[[[[[[[[[[[[[[[[[[') || b.includes('{"b":{"b":{"b":'))).toBe(true);
    expect(bodies.some((b) => b.startsWith('{"__proto__"') || b.startsWith('{"constructor"'))).toBe(true);
  });
});

describe('assertNo5xx', () => {
  it('sends numRuns bodies and passes when none gets a 5xx', async () => {
    let sent = 0;
    await assertNo5xx(fc.constant('{}'), () => Promise.resolve((sent++, answer(400))), 20);
    expect(sent).toBe(20);
  });

  it('fails naming the status and the body when one gets a 5xx', async () => {
    await expect(assertNo5xx(fc.constant('{"x":1}'), () => Promise.resolve(answer(502)), 5)).rejects.toThrow(/502 \{\} for \{"x":1\}/);
  });
});
