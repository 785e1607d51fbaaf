import nunjucks from 'nunjucks';
import { invalidRequest } from '@switchyard/types';

/** A template checked and compiled once (when a config or prompt is loaded), rendered per request. */
export interface SafeTemplate {
  render(variables: Readonly<Record<string, unknown>>): string;
}

/** No loaders: `include`, `import` and `extends` cannot reach a file (they are refused before compiling anyway). */
const ENV = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });

/** The longest rendered text (a larger one is a 400). */
export const MAX_RENDERED_CHARS = 1_000_000;

/** The nunjucks nodes a template may use: output, variables, lookups, conditions, loops, `set`, operators and filters. */
const ALLOWED_NODES = new Set([
  'Root', 'NodeList', 'Output', 'TemplateData', 'Literal', 'Symbol', 'LookupVal', 'Group', 'Array', 'Dict', 'Pair',
  'If', 'InlineIf', 'For', 'Set', 'Switch', 'Case', 'Capture', 'Filter', 'KeywordArgs', 'Compare', 'CompareOperand',
  'In', 'Is', 'Or', 'And', 'Not', 'Add', 'Concat', 'Sub', 'Mul', 'Div', 'FloorDiv', 'Mod', 'Pow', 'Neg', 'Pos',
]);

/**
 * The built-in filters a template may apply: none calls code or grows its input by a factor the template chooses
 * (`center`, `indent`, `batch` and `replace`, which repeats its replacement between every character for "", do).
 */
const ALLOWED_FILTERS = new Set([
  'abs', 'capitalize', 'default', 'd', 'dictsort', 'dump', 'escape', 'e', 'first', 'float', 'groupby', 'int', 'join',
  'last', 'length', 'list', 'lower', 'nl2br', 'reject', 'rejectattr', 'reverse', 'round', 'select',
  'selectattr', 'slice', 'sort', 'string', 'striptags', 'sum', 'title', 'trim', 'truncate', 'upper', 'urlencode', 'wordcount',
]);

/** Loops nest at most this deep (a render's work stays near linear in the request's variables). */
const MAX_LOOP_DEPTH = 2;

/** Names that lead from data to code (`''.constructor.constructor(…)`): never looked up. */
export const FORBIDDEN_NAMES = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__lookupGetter__']);

interface TemplateNode {
  typename: string;
  value?: unknown;
  children?: TemplateNode[];
  fields?: string[];
  [field: string]: unknown;
}

/**
 * Checks and compiles a Nunjucks template: a template may output variables, look up their fields, branch, loop and
 * apply pure filters, nothing else (no function calls, macros, includes, imports or blocks), so whoever writes it cannot
 * read files, call code or reach the process. Missing variables render empty. Throws a 400 naming `param`.
 */
export function compileSafeTemplate(source: string, param: string): SafeTemplate {
  let root: TemplateNode;
  try {
    root = (nunjucks as unknown as { parser: { parse(src: string): TemplateNode } }).parser.parse(source);
  } catch (err) {
    throw invalidRequest(`${param} is not a valid template: ${firstLine(err)}`, param, 'invalid_template');
  }
  checkNode(root, param);
  const template = new nunjucks.Template(source, ENV, undefined, true);
  return {
    render(variables) {
      let text: string;
      try {
        text = template.render({ ...variables });
      } catch (err) {
        throw invalidRequest(`The template of ${param} could not be rendered: ${firstLine(err)}`, param, 'template_render_failed');
      }
      if (text.length > MAX_RENDERED_CHARS) throw invalidRequest(`The template of ${param} rendered more than ${MAX_RENDERED_CHARS} characters.`, param, 'template_render_failed');
      return text;
    },
  };
}

function checkNode(node: TemplateNode, param: string, loops = 0): void {
  const refuse = (what: string): never => {
    throw invalidRequest(`${param} uses ${what}, which templates may not use (variables, lookups, if, for, set and filters only).`, param, 'invalid_template');
  };
  if (!ALLOWED_NODES.has(node.typename)) refuse(`'${node.typename}'`);
  if (node.typename === 'For' && ++loops > MAX_LOOP_DEPTH) refuse(`loops nested deeper than ${MAX_LOOP_DEPTH}`);
  // `{% set s = s ~ s %}` in a loop doubles per iteration.
  if ((node.typename === 'Set' || node.typename === 'Capture') && loops > 0) refuse('set inside a loop');
  if (node.typename === 'Symbol' && FORBIDDEN_NAMES.has(String(node.value))) refuse(`the name '${String(node.value)}'`);
  if (node.typename === 'LookupVal') {
    const key = node['val'] as TemplateNode;
    if (key.typename !== 'Literal' || FORBIDDEN_NAMES.has(String(key.value))) refuse('a computed or forbidden field lookup');
  }
  if (node.typename === 'Filter') {
    const name = node['name'] as TemplateNode;
    if (name.typename !== 'Symbol' || !ALLOWED_FILTERS.has(String(name.value))) refuse(`the filter '${String(name.value)}'`);
    checkNode(node['args'] as TemplateNode, param, loops);
    return;
  }
  for (const child of node.children ?? []) if (child) checkNode(child, param, loops);
  for (const field of node.fields ?? []) {
    for (const value of [node[field]].flat()) if (isNode(value)) checkNode(value, param, loops);
  }
}

const isNode = (v: unknown): v is TemplateNode => typeof v === 'object' && v !== null && 'typename' in v;

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean).slice(-1)[0] ?? 'error';
