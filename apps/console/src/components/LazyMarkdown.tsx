import { lazy, Suspense } from 'react';

const Markdown = lazy(() => import('./Markdown'));

/** Rendered Markdown, its renderer fetched on first use; until then the source as it is. */
export function LazyMarkdown({ source }: { source: string }) {
  return (
    <Suspense fallback={<span className="markdown-source">{source}</span>}>
      <Markdown source={source} />
    </Suspense>
  );
}
