import { useState } from 'react';
import type { ChatLine } from '../lib/chat';
import { LazyMarkdown } from './LazyMarkdown';

/** Messages as a chat, with the JSON a click away. */
export function ChatView({ lines, raw, label }: { lines: ChatLine[] | null; raw: unknown; label: string }) {
  const [showJson, setShowJson] = useState(lines === null);
  return (
    <div className="chat-view" role="region" aria-label={label}>
      {lines && (
        <button className="link" onClick={() => setShowJson(!showJson)} aria-pressed={showJson}>
          {showJson ? 'Show as chat' : 'Show JSON'}
        </button>
      )}
      {showJson || !lines ? (
        <pre className="json">{typeof raw === 'string' ? raw : JSON.stringify(raw, null, 2)}</pre>
      ) : (
        <ol className="chat">
          {lines.map((l, i) => (
            <li key={i} className={`bubble ${l.role}`}>
              <span className="role">{l.role}</span>
              <span className="text">{l.role === 'assistant' ? <LazyMarkdown source={l.text} /> : l.text}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
