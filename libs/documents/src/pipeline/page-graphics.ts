/** A horizontal or vertical ruling line (or thin filled rectangle) in PDF user space, y upwards. */
export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** What a page's operator list says about its layout: ruling lines, and how much of it images cover. */
export interface PageGraphics {
  rules: Rule[];
  /** Area covered by images over the page area (0..1, overlaps counted twice, capped at 1). */
  imageFraction: number;
}

/** The pdfjs operator codes read here (`pdfjs.OPS`). */
export interface OpCodes {
  save: number;
  restore: number;
  transform: number;
  constructPath: number;
  endPath: number;
  paintImageXObject: number;
  paintInlineImageXObject: number;
  paintImageMaskXObject: number;
  paintFormXObjectBegin: number;
  paintFormXObjectEnd: number;
}

export type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
/** Thinner than this (points) a path is a rule, not a box. */
const RULE_THICKNESS = 2.5;

/** `n` then `m` (a point through `n` first). */
export const multiply = (m: Matrix, n: number[]): Matrix => [
  m[0] * (n[0] ?? 1) + m[2] * (n[1] ?? 0),
  m[1] * (n[0] ?? 1) + m[3] * (n[1] ?? 0),
  m[0] * (n[2] ?? 0) + m[2] * (n[3] ?? 1),
  m[1] * (n[2] ?? 0) + m[3] * (n[3] ?? 1),
  m[0] * (n[4] ?? 0) + m[2] * (n[5] ?? 0) + m[4],
  m[1] * (n[4] ?? 0) + m[3] * (n[5] ?? 0) + m[5],
];

/** The axis-aligned box of [x0, y0, x1, y1] under `m`. */
function box(m: Matrix, x0: number, y0: number, x1: number, y1: number): Rule {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [
    [x0, y0],
    [x1, y0],
    [x0, y1],
    [x1, y1],
  ] as const) {
    xs.push(m[0] * x + m[2] * y + m[4]);
    ys.push(m[1] * x + m[3] * y + m[5]);
  }
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** The ruling line that a painted path with the bounding box [x0, y0, x1, y1] (its own space) under `m` is, if it is thin. */
export function ruleOf(m: Matrix, x0: number, y0: number, x1: number, y1: number): Rule | null {
  const b = box(m, x0, y0, x1, y1);
  const w = b.x1 - b.x0;
  const h = b.y1 - b.y0;
  return (h <= RULE_THICKNESS && w > RULE_THICKNESS * 3) || (w <= RULE_THICKNESS && h > RULE_THICKNESS * 3) ? b : null;
}

/**
 * Walks a pdfjs operator list (`fnArray`, `argsArray`) tracking the current transformation matrix: every
 * stroked or filled path whose bounding box is thin in one direction is a ruling line; every painted image
 * adds its transformed unit square to the image area.
 */
export function pageGraphics(fnArray: ArrayLike<number>, argsArray: ArrayLike<unknown>, ops: OpCodes, pageArea: number): PageGraphics {
  const stack: Matrix[] = [];
  let ctm: Matrix = IDENTITY;
  const rules: Rule[] = [];
  let imageArea = 0;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    if (fn === ops.save) stack.push(ctm);
    else if (fn === ops.restore) ctm = stack.pop() ?? IDENTITY;
    else if (fn === ops.transform && args) ctm = multiply(ctm, args as number[]);
    else if (fn === ops.paintFormXObjectBegin) {
      stack.push(ctm);
      const m = args?.[0];
      if (Array.isArray(m) || ArrayBuffer.isView(m)) ctm = multiply(ctm, Array.from(m as ArrayLike<number>));
    } else if (fn === ops.paintFormXObjectEnd) ctm = stack.pop() ?? IDENTITY;
    else if (fn === ops.constructPath && args) {
      const minMax = args[2] as ArrayLike<number> | null | undefined;
      if (args[0] === ops.endPath || !minMax || minMax.length < 4) continue;
      const rule = ruleOf(ctm, minMax[0] as number, minMax[1] as number, minMax[2] as number, minMax[3] as number);
      if (rule) rules.push(rule);
    } else if (fn === ops.paintImageXObject || fn === ops.paintInlineImageXObject || fn === ops.paintImageMaskXObject) {
      const b = box(ctm, 0, 0, 1, 1);
      imageArea += (b.x1 - b.x0) * (b.y1 - b.y0);
    }
  }
  return { rules, imageFraction: pageArea > 0 ? Math.min(1, imageArea / pageArea) : 0 };
}
