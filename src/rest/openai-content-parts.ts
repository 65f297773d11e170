import type { ContentPartShape } from '../schema/to-content-parts.js';
import { invalidParam as invalid, isObject } from './check-params.js';

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** A base64 `data:` URL as its media type and bytes; null for anything else. */
export function inlineDataOf(url: string): { mediaType: string; base64: string } | null {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1] ?? '', base64: match[2] ?? '' } : null;
}

/** OpenAI's image `detail`; anything else (`original`, absent) leaves it to the provider. */
export function detailOf(value: unknown): 'auto' | 'low' | 'high' | null {
  return value === 'auto' || value === 'low' || value === 'high' ? value : null;
}

/** An OpenAI content part as a ContentPartInput: `text`, `image_url`, `input_audio`, `file` (inline `file_data` only). */
function partOf(field: string, part: unknown): ContentPartShape {
  if (!isObject(part)) throw invalid(field, 'expected a content part object');
  if (part.type === 'text' && typeof part.text === 'string') return { text: part.text };
  if (part.type === 'image_url' && isObject(part.image_url) && typeof part.image_url.url === 'string') {
    const detail = detailOf(part.image_url.detail);
    const inline = inlineDataOf(part.image_url.url);
    return { image: inline ? { ...inline, detail } : { url: part.image_url.url, detail } };
  }
  if (part.type === 'input_audio' && isObject(part.input_audio) && typeof part.input_audio.data === 'string' && typeof part.input_audio.format === 'string') {
    return { audio: { base64: part.input_audio.data, format: part.input_audio.format } };
  }
  if (part.type === 'file' && isObject(part.file)) {
    const inline = typeof part.file.file_data === 'string' ? inlineDataOf(part.file.file_data) : null;
    if (!inline) throw invalid(`${field}.file`, 'expected file_data as a base64 data: URL (file_id is not supported: the gateway stores no files)');
    return { file: { ...inline, name: typeof part.file.filename === 'string' ? part.file.filename : null } };
  }
  throw invalid(field, 'expected a text, image_url, input_audio or file part');
}

/** An array content with anything but text parts, as ContentPartInputs; null when it is text only (sent as content). */
export function partsOfContent(field: string, content: unknown): ContentPartShape[] | null {
  if (!Array.isArray(content) || content.every((part: unknown) => isObject(part) && part.type === 'text')) return null;
  return content.map((part: unknown, index) => partOf(`${field}[${index}]`, part));
}
