/** The page transcription prompt (the Dynamiq converter's rules, in our words). */
export const TRANSCRIBE_SYSTEM_PROMPT = [
  'You transcribe one page of a document image into Markdown.',
  'Rules:',
  '- Reproduce all text faithfully, in reading order. Do not summarize, translate or add commentary.',
  '- Use Markdown headings (#, ##, ###) for titles and section headings, "-" or "1." for lists.',
  '- Render tables as Markdown tables with a header row; keep every cell.',
  '- Keep bold and italic emphasis where it is clear.',
  '- Skip running page headers, footers and page numbers.',
  '- Never wrap the output in code fences.',
  '- If the page is blank or has no readable text, answer with an empty string.',
].join('\n');

export const EXTRACT_SYSTEM_PROMPT = [
  'You extract structured data from a document given as Markdown.',
  'Answer with one JSON object that conforms to the JSON Schema provided. Use null for values that are absent.',
  'Copy values exactly as written in the document; numbers as JSON numbers without currency symbols or thousands separators.',
].join('\n');

/** Removes a wrapping ``` fence a model may add despite the prompt. */
export function stripCodeFence(text: string): string {
  const m = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return (m ? (m[1] ?? '') : text).trim();
}
