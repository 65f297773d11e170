import { dataUrl } from '../content-parts.js';
import type { ContentPart } from '../contract.js';

/**
 * Parts as OpenAI Chat Completions content: `text`, `image_url` (base64 as a
 * `data:` URL, detail lower-case), `file` (`file_data` as a `data:` URL with its
 * `filename`) and `input_audio`.
 */
export function toOpenAIContent(parts: readonly ContentPart[]): Record<string, unknown>[] {
  return parts.map((part) => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image': {
        const url = part.url ?? dataUrl(part.mediaType ?? 'image/png', part.base64 ?? '');
        return { type: 'image_url', image_url: { url, ...(part.detail ? { detail: part.detail } : {}) } };
      }
      case 'file':
        return { type: 'file', file: { file_data: dataUrl(part.mediaType, part.base64), ...(part.name ? { filename: part.name } : {}) } };
      case 'audio':
        return { type: 'input_audio', input_audio: { data: part.base64, format: part.format } };
    }
  });
}
