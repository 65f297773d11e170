import { GatewayError } from '../errors/gateway-error.js';
import type { ContentPart, ImageDetail, ReasoningEffort, ReasoningRequest } from '../providers/contract.js';

/** ContentPartInput as GraphQL hands it over (`@oneOf`: exactly one member set). */
export interface ContentPartShape {
  text?: string | null;
  image?: { url?: string | null; base64?: string | null; mediaType?: string | null; detail?: ImageDetail | null } | null;
  file?: { base64: string; mediaType: string; name?: string | null } | null;
  audio?: { base64: string; format: string } | null;
}

export interface ReasoningShape {
  effort?: ReasoningEffort | null;
  maxTokens?: number | null;
}

/**
 * Parts past this many in one message are refused before anything else looks at
 * them; the configured `limits.maxPartsPerMessage` (lower) applies when routing.
 */
export const MAX_PARTS_PER_MESSAGE = 1_000;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}$/;
const AUDIO_FORMAT = /^[a-z0-9]{1,16}$/;
// Linear: one character class, no nesting.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function invalid(field: string, message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', `${field}: ${message}`, { details: { field } });
}

function base64Of(field: string, value: string): string {
  if (value.length % 4 !== 0 || !BASE64.test(value)) throw invalid(field, 'expected base64 (A-Z a-z 0-9 + /, padded with =)');
  return value;
}

function mediaTypeOf(field: string, value: string): string {
  const mediaType = value.trim().toLowerCase();
  if (!MEDIA_TYPE.test(mediaType)) throw invalid(field, `expected a media type like application/pdf, but got "${value.slice(0, 80)}"`);
  return mediaType;
}

function imageOf(field: string, image: NonNullable<ContentPartShape['image']>): ContentPart {
  const part: Extract<ContentPart, { type: 'image' }> = { type: 'image' };
  if ((image.url == null) === (image.base64 == null)) throw invalid(field, 'expected exactly one of url and base64');
  if (image.url != null) {
    let url: URL;
    try {
      url = new URL(image.url);
    } catch {
      throw invalid(`${field}.url`, 'expected an absolute http(s) URL');
    }
    // The gateway never fetches it, but a provider does: only web URLs, never file: or data:.
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${field}.url`, 'expected an http(s) URL; send bytes as base64');
    part.url = image.url;
  } else {
    part.base64 = base64Of(`${field}.base64`, image.base64 as string);
    if (!image.mediaType) throw invalid(`${field}.mediaType`, 'base64 images need a mediaType (image/png, image/jpeg, image/gif or image/webp)');
  }
  if (image.mediaType) {
    const mediaType = mediaTypeOf(`${field}.mediaType`, image.mediaType);
    if (!IMAGE_TYPES.has(mediaType)) throw invalid(`${field}.mediaType`, `expected image/png, image/jpeg, image/gif or image/webp, but got "${mediaType}"`);
    part.mediaType = mediaType;
  }
  if (image.detail) part.detail = image.detail;
  return part;
}

/** Validates one (USER) message's parts. */
export function toContentParts(field: string, parts: readonly ContentPartShape[]): ContentPart[] {
  if (parts.length === 0) throw invalid(field, 'expected at least one part');
  if (parts.length > MAX_PARTS_PER_MESSAGE) throw invalid(field, `expected at most ${MAX_PARTS_PER_MESSAGE} parts, but got ${parts.length}`);
  return parts.map((shape, index) => {
    const at = `${field}[${index}]`;
    const set = (['text', 'image', 'file', 'audio'] as const).filter((name) => shape[name] != null);
    // @oneOf already guarantees this for GraphQL; /v1 bodies come through here too.
    if (set.length !== 1) throw invalid(at, 'expected exactly one of text, image, file and audio');
    if (shape.text != null) return { type: 'text', text: shape.text };
    if (shape.image) return imageOf(`${at}.image`, shape.image);
    if (shape.file) {
      const { file } = shape;
      const part: ContentPart = { type: 'file', base64: base64Of(`${at}.file.base64`, file.base64), mediaType: mediaTypeOf(`${at}.file.mediaType`, file.mediaType) };
      if (file.name) part.name = file.name.slice(0, 255);
      return part;
    }
    const audio = shape.audio as NonNullable<ContentPartShape['audio']>;
    const format = audio.format.trim().toLowerCase();
    if (!AUDIO_FORMAT.test(format)) throw invalid(`${at}.audio.format`, `expected a format like wav or mp3, but got "${audio.format.slice(0, 40)}"`);
    return { type: 'audio', base64: base64Of(`${at}.audio.base64`, audio.base64), format };
  });
}

/** Validates ReasoningInput. */
export function toReasoning(input: ReasoningShape): ReasoningRequest {
  const reasoning: ReasoningRequest = {};
  if (input.effort) reasoning.effort = input.effort;
  if (input.maxTokens != null) {
    if (!(input.maxTokens >= 1 && input.maxTokens <= 1_000_000)) throw invalid('input.reasoning.maxTokens', `expected 1 to 1000000, but got ${input.maxTokens}`);
    reasoning.maxTokens = input.maxTokens;
  }
  return reasoning;
}
