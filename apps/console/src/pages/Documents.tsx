import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { lazy, Suspense, useState, type DragEvent, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { DataKeyField } from '../components/DataKey';
import { DataTable } from '../components/DataTable';
import { ExtractForm } from '../components/ExtractForm';
import { Field } from '../components/Field';
import { LazyMarkdown } from '../components/LazyMarkdown';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatCost, formatTime } from '../lib/format';
import { useSession } from '../lib/session';

const PdfPage = lazy(() => import('../components/PdfPage').then((m) => ({ default: m.PdfPage })));

interface Job {
  id: string;
  type: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
  progress: { pages_done: number; pages_total: number | null };
  result: {
    markdown?: string;
    pages?: Array<{ index: number; page: number; markdown: string; method: string }>;
    /** Extraction: the answer, whether it passed the schema, after how many calls, and the validation errors. */
    data?: unknown;
    valid?: boolean;
    attempts?: number;
    errors?: unknown[];
  } | null;
  usage: { cost?: number | null } | null;
  error: { code: string; message: string } | null;
  created_at: string;
  filename?: string | null;
}

/** Files uploaded in this tab, by job id: their pages are drawn beside the Markdown (the service keeps no page images to serve). */
const uploads = new Map<string, File>();

const col = createColumnHelper<Job>();
const columns = [
  col.accessor('created_at', { header: 'Created', cell: (c) => formatTime(c.getValue()) }),
  col.accessor('type', { header: 'Type' }),
  col.accessor('status', { header: 'Status', cell: (c) => <span className={`status-${c.getValue()}`}>{c.getValue()}</span> }),
  col.accessor('progress', { header: 'Pages', cell: (c) => `${c.getValue().pages_done} / ${c.getValue().pages_total ?? '?'}` }),
  col.display({ id: 'cost', header: 'Cost', cell: (c) => formatCost(c.row.original.usage?.cost ?? null) }),
];

export default function Documents() {
  const api = useApi();
  const { dataKey } = useSession();
  const { id } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState('auto');
  const [model, setModel] = useState('');
  const jobs = useQuery({
    queryKey: ['jobs', api.project, dataKey],
    enabled: !!dataKey,
    queryFn: () => api.documents<Page<Job>>('/v1/documents/jobs?limit=50', dataKey!),
    refetchInterval: (q) => (q.state.data?.data.some((j) => j.status === 'queued' || j.status === 'running') ? 1000 : false),
  });
  const upload = useMutation({
    mutationFn: () => {
      const form = new FormData();
      form.append('options', JSON.stringify({ mode, ...(model.trim() ? { model: model.trim() } : {}) }));
      form.append('file', file!, file!.name);
      return api.documents<Job>('/v1/documents/parse', dataKey!, { method: 'POST', body: form });
    },
    onSuccess: (job) => {
      uploads.set(job.id, file!);
      void qc.invalidateQueries({ queryKey: ['jobs'] });
      void navigate(`/documents/${job.id}`);
    },
  });
  const drop = (e: DragEvent) => {
    e.preventDefault();
    const f = e.dataTransfer.files[0];
    if (f) setFile(f);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (file && dataKey) upload.mutate();
  };
  return (
    <section aria-labelledby="docs-title">
      <div className="page-head">
        <h1 id="docs-title">Documents</h1>
      </div>
      <DataKeyField />
      <form className="panel form-grid" onSubmit={submit} aria-label="Parse a document">
        <div className="dropzone" onDragOver={(e) => e.preventDefault()} onDrop={drop}>
          <label>
            Drop a PDF or image here, or choose one{' '}
            <input type="file" accept="application/pdf,image/*" aria-label="File" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          {file && <p>{file.name}</p>}
        </div>
        <label className="field">
          <span>Mode</span>
          <select value={mode} onChange={(e) => setMode(e.target.value)} aria-label="Mode">
            <option value="auto">auto (text layer, else OCR)</option>
            <option value="text">text (text layer only)</option>
            <option value="ocr">ocr (always render and OCR)</option>
          </select>
        </label>
        <Field label="OCR model (optional)" value={model} onChange={(e) => setModel(e.target.value)} placeholder="local-ocr/tesseract, gpt-4o-mini, @conn/model" />
        <button type="submit" className="primary" disabled={!file || !dataKey || upload.isPending}>
          Parse
        </button>
        {upload.error && <ErrorNote error={upload.error} />}
      </form>
      {id && <JobView id={id} />}
      <h2>Jobs</h2>
      {!dataKey ? (
        <Empty>Paste an access key above to see this project&apos;s jobs.</Empty>
      ) : (
        <QueryState q={jobs} what="jobs">
          {({ data }) => (data.length ? <DataTable label="Jobs" data={data} columns={columns} rowId={(j) => j.id} onRow={(j) => void navigate(`/documents/${j.id}`)} /> : <Empty>No jobs yet.</Empty>)}
        </QueryState>
      )}
    </section>
  );
}

function JobView({ id }: { id: string }) {
  const api = useApi();
  const { dataKey } = useSession();
  const job = useQuery({
    queryKey: ['job', id, dataKey],
    enabled: !!dataKey,
    queryFn: () => api.documents<Job>(`/v1/documents/jobs/${id}`, dataKey!),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'running') ? 700 : false),
  });
  const deliveries = useQuery({
    queryKey: ['deliveries', id, dataKey],
    enabled: !!dataKey,
    queryFn: () => api.documents<Page<{ id: string; status: string; attempt: number; created_at: string; response_status: number | null }>>(`/v1/documents/jobs/${id}/deliveries`, dataKey!),
  });
  const file = uploads.get(id);
  return (
    <div className="panel" role="region" aria-label="Job">
      <div className="page-head">
        <h2>
          Job <code>{id}</code>
        </h2>
        <Link to="/documents">Close</Link>
      </div>
      <QueryState q={job} what="the job">
        {(j) => (
          <>
            <p role="status">
              <span className={`status-${j.status}`} data-testid="job-status">
                {j.status}
              </span>{' '}
              <progress max={j.progress.pages_total ?? 1} value={j.progress.pages_done} aria-label="Pages done" /> {j.progress.pages_done} / {j.progress.pages_total ?? '?'} pages
            </p>
            {j.error && (
              <p className="error" role="alert">
                {j.error.code}: {j.error.message}
              </p>
            )}
            {j.result?.pages?.map((p) => (
              <div key={p.index} className="doc-page" data-testid={`doc-page-${p.page}`}>
                <div>
                  <h3>
                    Page {p.page} <span className="muted">({p.method})</span>
                  </h3>
                  {file && file.type === 'application/pdf' ? (
                    <Suspense fallback={<p className="muted">Drawing the page…</p>}>
                      <PdfPage file={file} page={p.page} />
                    </Suspense>
                  ) : file ? (
                    <img className="page-image" src={URL.createObjectURL(file)} alt={`Page ${p.page}`} />
                  ) : (
                    <p className="muted">Page images are drawn for files uploaded in this tab.</p>
                  )}
                </div>
                <div>
                  <div className="markdown" role="region" aria-label={`Markdown of page ${p.page}`}>
                    <LazyMarkdown source={p.markdown} />
                  </div>
                  <details>
                    <summary>Markdown source</summary>
                    <pre>{p.markdown}</pre>
                  </details>
                </div>
              </div>
            ))}
            {j.result?.data !== undefined && (
              <div role="region" aria-label="Extracted data">
                <h3>
                  Extracted data{' '}
                  <span className={j.result.valid === false ? 'status-failed' : 'status-succeeded'} data-testid="extract-valid">
                    {j.result.valid === false ? 'invalid' : 'valid'}
                  </span>{' '}
                  <span className="muted">
                    ({j.result.attempts ?? 1} model call{j.result.attempts === 1 ? '' : 's'})
                  </span>
                </h3>
                <pre className="json">{JSON.stringify(j.result.data, null, 2)}</pre>
                {j.result.errors?.length ? <pre className="error">{JSON.stringify(j.result.errors, null, 2)}</pre> : null}
              </div>
            )}
            {j.type === 'parse' && j.status === 'succeeded' && dataKey && <ExtractForm documentId={j.id} dataKey={dataKey} />}
          </>
        )}
      </QueryState>
      <h3>Webhook deliveries</h3>
      {deliveries.error ? (
        <ErrorNote error={deliveries.error} />
      ) : deliveries.data?.data.length ? (
        <ul>
          {deliveries.data.data.map((d) => (
            <li key={d.id}>
              {formatTime(d.created_at)}: attempt {d.attempt}, {d.status} {d.response_status ?? ''}
            </li>
          ))}
        </ul>
      ) : (
        <Empty>No webhook deliveries (no webhook_url).</Empty>
      )}
    </div>
  );
}
