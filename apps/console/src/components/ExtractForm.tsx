import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../lib/api';
import { checkExtractionSchema, STARTER_SCHEMA } from '../lib/schema';
import { Field } from './Field';
import { ErrorNote } from './States';

/** Extraction from a parsed document: a JSON Schema checked before submit, `POST /v1/documents/extract` with `document_id`. */
export function ExtractForm({ documentId, dataKey }: { documentId: string; dataKey: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [schema, setSchema] = useState(STARTER_SCHEMA);
  const [model, setModel] = useState('');
  const check = checkExtractionSchema(schema);
  const extract = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api.documents<{ id: string }>('/v1/documents/extract?wait=30', dataKey, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    onSuccess: (job) => {
      void qc.invalidateQueries({ queryKey: ['jobs'] });
      void navigate(`/documents/${job.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (check.ok) extract.mutate({ document_id: documentId, schema: check.schema, ...(model.trim() ? { model: model.trim() } : {}) });
  };
  return (
    <form className="panel form-grid" onSubmit={submit} aria-label="Extract data">
      <h3 className="full">Extract data with a JSON Schema</h3>
      <label className="field full">
        <span>JSON Schema</span>
        <textarea rows={10} value={schema} onChange={(e) => setSchema(e.target.value)} aria-invalid={!check.ok} aria-describedby="schema-check" spellCheck={false} />
      </label>
      <p id="schema-check" className={check.ok ? 'muted full' : 'error full'} role={check.ok ? undefined : 'alert'}>
        {check.ok ? `Fields: ${Object.keys(check.schema['properties'] as object).join(', ')}` : check.error}
      </p>
      <Field label="Extraction model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="gpt-4o-mini, @conn/model (default: DOCUMENTS_EXTRACT_MODEL)" />
      <button type="submit" className="primary" disabled={!check.ok || extract.isPending}>
        {extract.isPending ? 'Extracting…' : 'Extract'}
      </button>
      {extract.error && <ErrorNote error={extract.error} />}
    </form>
  );
}
