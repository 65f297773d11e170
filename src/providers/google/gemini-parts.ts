import { GatewayError } from '../../errors/gateway-error.js';
import { reasoningBudget } from '../content-parts.js';
import type { ContentPart, ReasoningRequest } from '../contract.js';

/** A Gemini request part carrying content (text, inline bytes or an uploaded file). */
export type GeminiContentPart = { text: string } | { inlineData: { mimeType: string; data: string } } | { fileData: { mimeType: string; fileUri: string } };

/** URLs Gemini fetches itself: files uploaded with its Files API. */
const GEMINI_FILE_URI = /^https:\/\/generativelanguage\.googleapis\.com\/v1(beta)?\/files\//;

function refuse(message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message, { details: { provider: 'google' } });
}

/**
 * Parts as Gemini parts: bytes as `inlineData { mimeType, data }`; an image URL
 * as `fileData` only when it is a Gemini Files API URI (Gemini fetches nothing
 * else, and the gateway never downloads a URL itself), else BAD_USER_INPUT.
 */
export function toGeminiParts(parts: readonly ContentPart[]): GeminiContentPart[] {
  const out: GeminiContentPart[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        // Gemini rejects empty text parts.
        if (part.text) out.push({ text: part.text });
        break;
      case 'image':
        if (part.base64 !== undefined) {
          out.push({ inlineData: { mimeType: part.mediaType ?? 'image/png', data: part.base64 } });
        } else if (part.url && GEMINI_FILE_URI.test(part.url) && part.mediaType) {
          out.push({ fileData: { mimeType: part.mediaType, fileUri: part.url } });
        } else {
          throw refuse(
            'Gemini models take images as base64, or as Gemini Files API URIs (https://generativelanguage.googleapis.com/v1beta/files/…) with a mediaType; the gateway does not download other URLs.',
          );
        }
        break;
      case 'file':
        out.push({ inlineData: { mimeType: part.mediaType, data: part.base64 } });
        break;
      case 'audio':
        out.push({ inlineData: { mimeType: `audio/${part.format}`, data: part.base64 } });
        break;
    }
  }
  return out;
}

/** `generationConfig.thinkingConfig`: the budget (from effort when only that is given), thought summaries on. */
export function geminiThinkingConfig(reasoning: ReasoningRequest): Record<string, unknown> {
  return { thinkingBudget: reasoningBudget(reasoning), includeThoughts: true };
}
