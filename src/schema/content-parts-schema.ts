import { IMAGE_DETAILS, REASONING_EFFORTS } from '../providers/contract.js';
import type { Builder } from './builder.js';
import { enumValues } from './enum-values.js';

/** ContentPartInput (`@oneOf`: text, image, file, audio) and ReasoningInput, for ChatMessageInput and ChatInput. */
export function addContentPartInputs(builder: Builder) {
  const ImageDetail = builder.enumType('ImageDetail', {
    description: 'How closely the model looks at an image (OpenAI-compatible providers; others ignore it).',
    values: enumValues(IMAGE_DETAILS, {
      auto: 'The provider decides.',
      low: 'A low-resolution look: fewer tokens.',
      high: 'Full detail: more tokens.',
    }),
  });
  const ReasoningEffort = builder.enumType('ReasoningEffort', {
    description: 'How hard a reasoning model thinks. Providers that take a token budget get 1,024 / 4,096 / 8,192 / 24,576 tokens.',
    values: enumValues(REASONING_EFFORTS, {
      minimal: 'As little as the model allows.',
      low: 'A little.',
      medium: 'The usual.',
      high: 'As much as it takes.',
    }),
  });
  const ImageInput = builder.inputType('ImageInput', {
    description: 'An image, by URL (passed to the provider, never fetched by the gateway) or inline as base64.',
    fields: (t) => ({
      url: t.string({ description: 'An https URL the provider fetches. Exactly one of url and base64.' }),
      base64: t.string({ description: 'The image bytes, base64-encoded (needs mediaType).' }),
      mediaType: t.string({ description: 'image/png, image/jpeg, image/gif or image/webp.' }),
      detail: t.field({ type: ImageDetail, description: 'How closely to look (default AUTO).' }),
    }),
  });
  const FileInput = builder.inputType('FileInput', {
    description: 'A document (PDF, plain text), inline as base64.',
    fields: (t) => ({
      base64: t.string({ required: true, description: 'The file bytes, base64-encoded.' }),
      mediaType: t.string({ required: true, description: 'e.g. application/pdf or text/plain.' }),
      name: t.string({ description: 'A file name, for providers that show one to the model.' }),
    }),
  });
  const AudioInput = builder.inputType('AudioInput', {
    description: 'A sound clip, inline as base64.',
    fields: (t) => ({
      base64: t.string({ required: true, description: 'The audio bytes, base64-encoded.' }),
      format: t.string({ required: true, description: 'The encoding: wav or mp3 (others where the provider takes them).' }),
    }),
  });
  const ContentPartInput = builder.inputType('ContentPartInput', {
    description: 'One part of a multi-part message: exactly one of its fields.',
    isOneOf: true,
    fields: (t) => ({
      text: t.string({ description: 'Text.' }),
      image: t.field({ type: ImageInput, description: 'An image (needs the VISION capability).' }),
      file: t.field({ type: FileInput, description: 'A document (needs FILES).' }),
      audio: t.field({ type: AudioInput, description: 'Audio (needs AUDIO).' }),
    }),
  });
  const ReasoningInput = builder.inputType('ReasoningInput', {
    description: 'Ask a reasoning model (capability REASONING) to think before it answers: an effort, a token budget, or both.',
    fields: (t) => ({
      effort: t.field({ type: ReasoningEffort, description: 'How hard to think (default MEDIUM).' }),
      maxTokens: t.int({ description: 'Most tokens to spend thinking (a budget, where the provider takes one).' }),
    }),
  });
  return { ContentPartInput, ReasoningInput };
}
