import type { InputHTMLAttributes } from 'react';

/** A labelled input. */
export function Field({ label, ...props }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...props} />
    </label>
  );
}

/** A number field's value for a JSON body: '' is null (no limit). */
export const numberOrNull = (v: string): number | null => (v.trim() === '' ? null : Number(v));
