import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';

const PLUGINS = [remarkGfm];

/**
 * Markdown rendered (GitHub flavour: tables, task lists, strikethrough). Raw HTML in the source is escaped, never
 * rendered, and link/image URLs go through react-markdown's safe-protocol filter. Loaded lazily (its own chunk).
 */
export default function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown-body">
      <ReactMarkdown remarkPlugins={PLUGINS}>{source}</ReactMarkdown>
    </div>
  );
}
