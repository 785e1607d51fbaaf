import { lineDiff } from '../lib/graph';

const MARK = { add: '+ ', remove: '- ', same: '  ' } as const;

/** The line diff of two texts: one line a span, marked `+ `, `- ` or blank and classed `diff-<kind>`. */
export function DiffView({ before, after, label }: { before: string; after: string; label: string }) {
  return (
    <pre className="diff" role="region" aria-label={label}>
      {lineDiff(before, after).map((l, i) => (
        <span key={i} className={`diff-${l.kind}`}>
          {MARK[l.kind]}
          {l.text}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}
