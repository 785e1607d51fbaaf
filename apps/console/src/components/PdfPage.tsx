import * as pdfjs from 'pdfjs-dist';
import { useEffect, useRef, useState } from 'react';

pdfjs.GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).href;

const docs = new Map<Blob, Promise<pdfjs.PDFDocumentProxy>>();

/** One page of a PDF the user uploaded in this tab, drawn with pdf.js. */
export function PdfPage({ file, page }: { file: Blob; page: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [rendered, setRendered] = useState(false);
  useEffect(() => {
    let cancelled = false;
    if (!docs.has(file)) docs.set(file, file.arrayBuffer().then((data) => pdfjs.getDocument({ data }).promise));
    docs
      .get(file)!
      .then(async (doc) => {
        const p = await doc.getPage(page);
        const viewport = p.getViewport({ scale: 1 });
        const el = canvas.current;
        if (!el || cancelled) return;
        el.width = viewport.width;
        el.height = viewport.height;
        await p.render({ canvas: el, viewport }).promise;
        if (!cancelled) setRendered(true);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [file, page]);
  return error ? <p className="error">{error}</p> : <canvas ref={canvas} className="page-image" role="img" aria-label={`Page ${page}`} aria-busy={!rendered} data-rendered={rendered} />;
}
