import { compileSafeTemplate } from './safe-template';

const render = (source: string, vars: Record<string, unknown> = {}) => compileSafeTemplate(source, 'system_prompt').render(vars);
const refused = (source: string) => expect(() => compileSafeTemplate(source, 'system_prompt')).toThrow(expect.objectContaining({ status: 400, param: 'system_prompt', code: 'invalid_template' }));

describe('compileSafeTemplate: Nunjucks system prompts', () => {
  it('renders variables, lookups, conditions, loops and filters; missing variables render empty; nothing is escaped', () => {
    expect(render('You help {{ user.name | title }} in {{ locale | default("en") }}.', { user: { name: 'ada lovelace' } })).toBe('You help Ada Lovelace in en.');
    expect(render('Hi {{ missing }}{{ user.missing }}!', {})).toBe('Hi !');
    expect(render('{% if vip %}VIP {% endif %}{% for t in topics %}[{{ t }}]{% endfor %}', { vip: true, topics: ['a', 'b'] })).toBe('VIP [a][b]');
    expect(render('{{ html }}', { html: '<b>"x" & y</b>' })).toBe('<b>"x" & y</b>');
    expect(render('{% set n = items | length %}{{ n * 2 }}', { items: [1, 2, 3] })).toBe('6');
    expect(render('{% for r in rows %}{% for c in r %}{{ c }}{% endfor %};{% endfor %}', { rows: [[1, 2], [3]] })).toBe('12;3;');
  });

  it('refuses what could reach files or code: include, import, extends, calls, macros, constructor lookups', () => {
    refused('{% include "/etc/passwd" %}');
    refused('{% import "x.njk" as x %}');
    refused('{% extends "base.njk" %}');
    refused('{{ range(10) }}');
    refused('{{ "".constructor.constructor("return process")() }}');
    refused('{{ x.constructor }}');
    refused('{{ x["__proto__"] }}');
    refused('{{ x[key] }}');
    refused('{% macro m() %}x{% endmacro %}');
    refused('{% if a == foo() %}x{% endif %}');
    refused('{{ "x" | center(100000000) }}');
    refused('{{ name | nonexistent }}');
    expect(() => compileSafeTemplate('{% for a in x %}{% for b in x %}{% for c in x %}.{% endfor %}{% endfor %}{% endfor %}', 'p')).toThrow(/loops nested deeper than 2/);
    expect(() => compileSafeTemplate('{% set s = "ab" %}{% for i in x %}{% set s = s ~ s %}{% endfor %}{{ s }}', 'p')).toThrow(/set inside a loop/);
    expect(() => compileSafeTemplate('{{ text | replace("", "xxxxxxxx") }}', 'p')).toThrow(/the filter 'replace'/);
  });

  it('refuses a template that does not parse, naming the field', () => {
    expect(() => compileSafeTemplate('{% if %}', 'messages[0].content')).toThrow(expect.objectContaining({ param: 'messages[0].content', code: 'invalid_template' }));
  });
});
