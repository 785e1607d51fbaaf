/** A transport-neutral view of an upload: the file as a stream, and the form fields. */
export type UploadPart =
  | { type: 'file'; fieldname: string; filename: string | null; stream: AsyncIterable<Uint8Array> }
  | { type: 'field'; name: string; value: string };

export type UploadSource = { kind: 'multipart'; parts: AsyncIterable<UploadPart> } | { kind: 'json'; body: Record<string, unknown> };
