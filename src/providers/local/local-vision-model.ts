import { decodedBytes } from '../content-parts.js';
import type { ChatRequest, ContentPart } from '../contract.js';

function describe(part: ContentPart): string {
  switch (part.type) {
    case 'text':
      return `text (${part.text.length} characters)`;
    case 'image':
      return part.url
        ? `image (${part.mediaType ?? 'media type not given'}, by URL ${part.url}, not fetched${part.detail ? `, detail ${part.detail}` : ''})`
        : `image (${part.mediaType ?? 'image'}, ${decodedBytes(part.base64 ?? '')} bytes${part.detail ? `, detail ${part.detail}` : ''})`;
    case 'file':
      return `file (${part.mediaType}, ${decodedBytes(part.base64)} bytes${part.name ? `, named ${part.name}` : ''})`;
    case 'audio':
      return `audio (${part.format}, ${decodedBytes(part.base64)} bytes)`;
  }
}

/**
 * The `vision` demo model's answer: what the last user message carried, one line
 * per part (type, media type, size), so parts can be tried end to end offline.
 */
export function describeParts(request: ChatRequest): string {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  const parts: ContentPart[] = last?.parts ?? (last?.content ? [{ type: 'text', text: last.content }] : []);
  if (parts.length === 0) return 'I received nothing to look at.';
  const lines = parts.map((part, index) => `${index + 1}. ${describe(part)}`);
  return `I received ${parts.length} part${parts.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}
