import type { ChatMessage, ChatRequest, ContentPart, ImagePart } from '@switchyard/types';

/**
 * The request as its log record keeps it: every inline (`data:`) image replaced by a short placeholder naming its
 * type and size, e.g. `[image/jpeg, 449 KB base64 data URL: not logged]`. A document job's page image is hundreds of KB
 * per page, which the record would otherwise serialize, send through Redis and store, once per page; the page is
 * named in the request's text part and the job in the record's `documentJobId`. Other values are shared, not copied.
 */
export function loggedRequest(request: ChatRequest): ChatRequest {
  const messages = request.messages.map(withoutInlineImages);
  return messages.some((m, i) => m !== request.messages[i]) ? { ...request, messages } : request;
}

function withoutInlineImages(message: ChatMessage): ChatMessage {
  if (!Array.isArray(message.content) || !message.content.some(isInlineImage)) return message;
  const content = message.content.map((part): ContentPart => {
    if (!isInlineImage(part)) return part;
    return { ...part, image_url: { ...part.image_url, url: placeholder(part.image_url.url) } };
  });
  return { ...message, content };
}

const isInlineImage = (part: ContentPart): part is ImagePart =>
  part.type === 'image_url' && typeof (part as ImagePart).image_url?.url === 'string' && (part as ImagePart).image_url.url.startsWith('data:');

function placeholder(url: string): string {
  const type = /^data:([^;,]*)/.exec(url.slice(0, 100))?.[1] || 'data';
  return `[${type}, ${Math.round(url.length / 1024)} KB base64 data URL: not logged]`;
}
