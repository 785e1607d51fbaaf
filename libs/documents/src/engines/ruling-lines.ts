/** A pixel darker than this (0-255 grey) is ink. */
const INK = 128;
/**
 * A rule is a straight run of ink at least this share of the image's larger side, and at least `MIN_ASPECT`
 * times as long as it is thick: a glyph's stem or bar is far stubbier, whatever the page size and text size.
 */
const MIN_RULE = 0.03;
const MIN_ASPECT = 15;
/** Rules are thin: ink this share of the page's width away on either side, along most of the run, makes it part of a filled area. */
const MAX_THICKNESS = 0.004;

/** Pixels either side of a rule whitened with it. */
const EDGE = 2;

/**
 * Whitens the ruling lines of a greyscale page image in place (long, thin horizontal and vertical runs of
 * ink: table borders and separators), which tesseract's page segmentation otherwise takes for a table or image
 * region and leaves unread. Returns whether any rule was found.
 */
export function removeRulingLines(grey: Uint8Array, width: number, height: number): boolean {
  const thick = Math.max(3, Math.round(width * MAX_THICKNESS));
  const runs: { x: number; y: number; len: number; horizontal: boolean }[] = [];
  const scan = (horizontal: boolean) => {
    // Pixel (i along the run, o across it) is grey[o * across + i * along].
    const [outer, inner, along, across] = horizontal ? [height, width, 1, width] : [width, height, width, 1];
    const minLen = Math.round(Math.max(width, height) * MIN_RULE);
    const ink = (i: number, o: number) => (grey[o * across + i * along] as number) < INK;
    for (let o = 0; o < outer; o++) {
      let start = -1;
      for (let i = 0, p = o * across; i <= inner; i++, p += along) {
        if (i < inner && (grey[p] as number) < INK) {
          if (start < 0) start = i;
          continue;
        }
        if (start >= 0 && i - start >= minLen && !filled(start, i, o) && (i - start) >= MIN_ASPECT * thickness(start, i, o)) {
          runs.push(horizontal ? { x: start, y: o, len: i - start, horizontal } : { x: o, y: start, len: i - start, horizontal });
        }
        start = -1;
      }
    }
    // The run's thickness: the fewest ink pixels across it at a quarter, half and three quarters of its length.
    function thickness(from: number, to: number, o: number): number {
      let least = Infinity;
      for (const i of [from + ((to - from) >> 2), (from + to) >> 1, to - ((to - from) >> 2)]) {
        let n = 1;
        for (let k = o - 1; k >= 0 && ink(i, k); k--) n++;
        for (let k = o + 1; k < outer && ink(i, k); k++) n++;
        least = Math.min(least, n);
      }
      return least;
    }
    // Ink `thick` pixels off the run on either side along most of it: a filled area (or its edge), not a rule.
    function filled(from: number, to: number, o: number): boolean {
      let near = 0;
      let samples = 0;
      for (let i = from; i < to; i += 4, samples++) if ((o >= thick && ink(i, o - thick)) || (o + thick < outer && ink(i, o + thick))) near++;
      return near > samples / 2;
    }
  };
  scan(true);
  scan(false);
  // The rule's anti-aliased edges too, which tesseract's own thresholding may still take for ink.
  for (const r of runs) {
    for (let d = -EDGE; d <= EDGE; d++) {
      const [x, y] = r.horizontal ? [r.x, r.y + d] : [r.x + d, r.y];
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      for (let k = 0; k < r.len; k++) grey[r.horizontal ? y * width + x + k : (y + k) * width + x] = 255;
    }
  }
  return runs.length > 0;
}
