import { decodedBytes } from '../providers/content-parts.js';
import type { ChatMessage, ContentPart, ProviderType } from '../providers/contract.js';

/**
 * Conservative prompt tokens per image, by provider: the most one image can cost
 * under each provider's published rules. OpenAI: 85 + 170 per 512-px tile, at most
 * 1,105 (a 2048×768 image; `low` detail: 85). gpt-4o-mini counts image tokens ×33
 * at a lower price (2,833 + 5,667 per tile: up to 36,835). Anthropic: width ×
 * height / 750, at most ~1,600 (1.15 megapixels; larger images are scaled down).
 * Gemini: 258 per 768-px tile, counted here as up to five tiles (1,290).
 */
const IMAGE_TOKENS: Record<ProviderType, number> = { openai: 1_105, anthropic: 1_600, google: 1_290, local: 0 };
const IMAGE_LOW_TOKENS = 85;
const MINI_IMAGE_TOKENS = 36_835;
const MINI_IMAGE_LOW_TOKENS = 2_833;
/**
 * Documents: a PDF page costs up to ~3,000 text tokens plus a page image on
 * Anthropic (~1,600), and pages are not counted without parsing the file, so a
 * document counts one token per 3 bytes, at least 4,600 (one page's worth).
 */
const FILE_BYTES_PER_TOKEN = 3;
const MIN_FILE_TOKENS = 4_600;
/**
 * Audio: Gemini bills 32 tokens a second (OpenAI about 10). The duration is
 * bounded from below by assuming the smallest common bitrates: WAV as 8 kHz
 * 16-bit mono (16,000 bytes a second), anything compressed as 8 kbit/s.
 */
const AUDIO_TOKENS_PER_SECOND = 32;
const WAV_BYTES_PER_SECOND = 16_000;
const COMPRESSED_BYTES_PER_SECOND = 1_000;

function partTokens(part: ContentPart, provider: ProviderType, upstream: string): number {
  switch (part.type) {
    case 'text':
      return 0;
    case 'image': {
      const mini = provider === 'openai' && upstream.includes('4o-mini');
      if (part.detail === 'low' && provider === 'openai') return mini ? MINI_IMAGE_LOW_TOKENS : IMAGE_LOW_TOKENS;
      return mini ? MINI_IMAGE_TOKENS : IMAGE_TOKENS[provider];
    }
    case 'file':
      return Math.max(MIN_FILE_TOKENS, Math.ceil(decodedBytes(part.base64) / FILE_BYTES_PER_TOKEN));
    case 'audio': {
      const bytesPerSecond = part.format === 'wav' ? WAV_BYTES_PER_SECOND : COMPRESSED_BYTES_PER_SECOND;
      return Math.ceil((decodedBytes(part.base64) / bytesPerSecond) * AUDIO_TOKENS_PER_SECOND);
    }
  }
}

/**
 * Prompt tokens the images, files and audio of a request may cost on one target
 * (text parts are counted with the text). An upper estimate for limits and budget
 * reservations; settling with the provider's reported usage corrects it.
 */
export function estimatePartTokens(messages: readonly ChatMessage[], provider: ProviderType, upstream: string): number {
  let tokens = 0;
  for (const message of messages) for (const part of message.parts ?? []) tokens += partTokens(part, provider, upstream);
  return tokens;
}
