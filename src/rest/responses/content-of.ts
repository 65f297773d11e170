import type { ChatRole } from '../../providers/contract.js';
import type { ContentPartShape } from '../../schema/to-content-parts.js';
import { invalidParam as invalid, isObject, type Body } from '../check-params.js';
import { detailOf, inlineDataOf } from '../openai-content-parts.js';

const TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);
const MEDIA_PARTS = new Set(['input_image', 'input_file', 'input_audio']);
const STATELESS_FILES = 'file_id is not supported: the gateway stores no files; send the bytes as a base64 data: URL';

/** The text of a text part (`refusal` parts read as their text). */
function textOfPart(where: string, part: Body): string {
  if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
  if (typeof part.type !== 'string' || !TEXT_PARTS.has(part.type) || typeof part.text !== 'string') {
    throw invalid(`${where}.type`, `"${String(part.type).slice(0, 40)}" parts are not supported; send input_text, input_image, input_file or input_audio`);
  }
  return part.text;
}

/** `input_image`: an http(s) URL or a base64 data: URL (never a stored file). */
function imageOf(where: string, part: Body): ContentPartShape {
  if (part.file_id != null) throw invalid(`${where}.file_id`, STATELESS_FILES);
  if (typeof part.image_url !== 'string') throw invalid(`${where}.image_url`, 'expected an image URL or a base64 data: URL');
  const detail = detailOf(part.detail);
  const inline = inlineDataOf(part.image_url);
  return { image: inline ? { ...inline, detail } : { url: part.image_url, detail } };
}

/** `input_file`: inline `file_data` only; the gateway fetches no URL and stores no file. */
function fileOf(where: string, part: Body): ContentPartShape {
  if (part.file_id != null) throw invalid(`${where}.file_id`, STATELESS_FILES);
  if (part.file_url != null) throw invalid(`${where}.file_url`, 'the gateway never downloads files; send the bytes as file_data (a base64 data: URL)');
  const inline = typeof part.file_data === 'string' ? inlineDataOf(part.file_data) : null;
  if (!inline) throw invalid(`${where}.file_data`, 'expected a base64 data: URL (data:application/pdf;base64,...)');
  return { file: { ...inline, name: typeof part.filename === 'string' ? part.filename : null } };
}

function audioOf(where: string, part: Body): ContentPartShape {
  const audio = part.input_audio;
  if (!isObject(audio) || typeof audio.data !== 'string' || typeof audio.format !== 'string') throw invalid(`${where}.input_audio`, 'expected {data, format}');
  return { audio: { base64: audio.data, format: audio.format } };
}

function partOf(where: string, part: Body): ContentPartShape {
  if (part.type === 'input_image') return imageOf(where, part);
  if (part.type === 'input_file') return fileOf(where, part);
  if (part.type === 'input_audio') return audioOf(where, part);
  return { text: textOfPart(where, part) };
}

/**
 * A message item's content: a string, text parts (joined into `content`), or
 * — on user messages — parts with images, files or audio (as `parts`).
 */
export function contentOf(field: string, role: ChatRole, content: unknown): { content: string } | { parts: ContentPartShape[] } {
  if (typeof content === 'string') return { content };
  if (!Array.isArray(content)) throw invalid(field, 'expected a string or an array of content parts');
  const parts = content.map((part: unknown, index) => {
    if (!isObject(part) || typeof part.type !== 'string') throw invalid(`${field}[${index}]`, 'expected a content part with a type');
    return part;
  });
  const media = parts.findIndex((part) => MEDIA_PARTS.has(part.type as string));
  if (media < 0) return { content: parts.map((part, index) => textOfPart(`${field}[${index}]`, part)).join('') };
  if (role !== 'user') throw invalid(`${field}[${media}].type`, `only user messages carry ${String(parts[media]?.type)} parts`);
  return { parts: parts.map((part, index) => partOf(`${field}[${index}]`, part)) };
}
