import { parseJsonObject, parsePromptMessages, parseRules, pinVariant, ruleInputs, versionFields } from './llmops';

describe('configs and prompts editors', () => {
  it('parses parameters as a JSON object, empty as {}', () => {
    expect(parseJsonObject('', 'Parameters')).toEqual({ ok: true, value: {} });
    expect(parseJsonObject('{"temperature": 0.2}', 'Parameters')).toEqual({ ok: true, value: { temperature: 0.2 } });
    expect(parseJsonObject('[1]', 'Parameters')).toEqual({ ok: false, error: 'Parameters must be a JSON object.' });
    expect(parseJsonObject('{temperature: 1}', 'Parameters')).toMatchObject({ ok: false, error: expect.stringMatching(/^Parameters is not JSON: /) });
  });

  it('checks prompt messages: a non-empty array of {role, content}', () => {
    const good = '[{"role":"system","content":"Write about {{ topic }}."},{"role":"user","content":"Go"}]';
    expect(parsePromptMessages(good)).toEqual({ ok: true, value: JSON.parse(good) });
    expect(parsePromptMessages('[]')).toEqual({ ok: false, error: 'Messages must be a non-empty JSON array.' });
    expect(parsePromptMessages('[{"role":"tool","content":"x"}]')).toMatchObject({ ok: false, error: expect.stringMatching(/^Message 1 must be/) });
    expect(parsePromptMessages('[{"role":"user","content":"a"},{"role":"user"}]')).toMatchObject({ ok: false, error: expect.stringMatching(/^Message 2 must be/) });
  });

  it('builds version fields: a blank model is null (the request decides)', () => {
    expect(versionFields('  ', '')).toEqual({ ok: true, value: { model: null, parameters: {} } });
    expect(versionFields('gpt-4o-mini', '{"seed": 1}')).toEqual({ ok: true, value: { model: 'gpt-4o-mini', parameters: { seed: 1 } } });
    expect(versionFields('gpt-4o-mini', '3').ok).toBe(false);
  });

  it('turns listed rules into the PUT body (no server ids) and checks edited rules', () => {
    const listed = [{ id: 'r1', variant: 'control', variant_id: 'v1', version: 1, environment: null, priority: 0, weight: 100, conditions: null, enabled: true }];
    expect(ruleInputs(listed)).toEqual([{ variant: 'control', version: 1, environment: null, priority: 0, weight: 100, conditions: null, enabled: true }]);
    expect(parseRules(JSON.stringify(ruleInputs(listed)))).toMatchObject({ ok: true });
    expect(parseRules('{}')).toEqual({ ok: false, error: 'Rules must be a JSON array of rule objects.' });
    expect(parseRules('[{"weight": 5}]')).toEqual({ ok: false, error: 'Rule 1 must name its "variant".' });
  });

  it('pins the rules of a variant to a version (deploy, roll back), or adds a default rule for it', () => {
    const rules = [
      { id: 'r1', variant: 'control', variant_id: 'v1', version: 2, environment: null, priority: 0, weight: 9000, conditions: null, enabled: true },
      { id: 'r2', variant: 'candidate', variant_id: 'v2', version: null, environment: 'default', priority: 0, weight: 1000, conditions: null, enabled: true },
    ];
    expect(pinVariant(rules, 'control', 1).map((r) => [r.variant, r.version, r.weight])).toEqual([['control', 1, 9000], ['candidate', null, 1000]]);
    expect(pinVariant(rules, 'control', null)[0]!.version).toBeNull();
    expect(pinVariant([], 'control', 3)).toEqual([{ variant: 'control', version: 3, environment: null, priority: 0, weight: 100, conditions: null, enabled: true }]);
  });
});
