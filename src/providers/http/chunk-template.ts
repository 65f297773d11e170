import type { ChatStreamPart } from '../contract.js';

const QUOTE = 34;
const BACKSLASH = 92;
/** From this length on, V8 makes a substring a slice of its parent (which it keeps alive) rather than a copy. */
const SLICED_FROM = 13;
/** Put in the slot to confirm a template: plain text that no real token will look like. */
const PROBE = 'sb~slot~probe';

/**
 * A streamed JSON chunk cut around one string value, to decode the chunks that follow without
 * JSON.parse. An upstream's chunks are mostly the same text (the same id, model and field
 * order) and differ in one string: the token. A chunk that starts with the template's prefix,
 * ends with its suffix and holds one whole JSON string between them parses to the template's
 * chunk with only that string changed, so what it decodes to is known: the string. Parsing it
 * in full costs ~0.7–1.4 µs and a tree of objects per chunk: for an upstream that sends its
 * chunks at once, a fifth of the gateway's CPU per stream (CPU profile, 64 streams at a time).
 *
 * Exact by construction: a template is kept only once `readSlot` reads a probe string put in
 * the slot, and a chunk that differs anywhere else (a finish reason, usage, a new field, a
 * value that is not one whole string) does not fit, and is parsed in full.
 */
export class ChunkTemplate {
  private constructor(
    /** The chunk's text up to and including the slot's opening quote. */
    private readonly prefix: string,
    /** From the slot's closing quote to the end. */
    private readonly suffix: string,
  ) {}

  /**
   * The template of `text` (a chunk already parsed) around the string `value`, if `readSlot`
   * reads a probe put in its place: that is, if the slot found is the one the decoder reads,
   * and nothing after it overrides it (a repeated key). `readSlot` answers undefined for a
   * chunk that carries more than the slot's string.
   */
  static around(text: string, value: string, readSlot: (chunk: unknown) => string | undefined): ChunkTemplate | undefined {
    const token = JSON.stringify(value);
    // The last one: of repeated keys, JSON.parse keeps the last.
    const at = text.lastIndexOf(token);
    if (at === -1) return undefined;
    const prefix = text.slice(0, at + 1);
    const suffix = text.slice(at + token.length - 1);
    if (suffix.includes(PROBE)) return undefined;
    // The template keeps slices of the probe's text, which JSON.parse flattens into a string of its
    // own: `text` is often a slice of a whole network read (an unpaced answer is one read of
    // ~12 KB), which slices of it would keep alive for the stream's life.
    const probeText = prefix + PROBE + suffix;
    let probe: unknown;
    try {
      probe = JSON.parse(probeText);
    } catch {
      return undefined;
    }
    if (readSlot(probe) !== PROBE) return undefined;
    return new ChunkTemplate(probeText.slice(0, prefix.length), probeText.slice(prefix.length + PROBE.length));
  }

  /** The string `text` holds in the slot, or undefined when `text` does not fit the template. */
  valueIn(text: string): string | undefined {
    const { prefix, suffix } = this;
    const end = text.length - suffix.length;
    // Equality of substrings, not startsWith/endsWith: on Node 20 startsWith took ~0.4 µs for a
    // 170-character prefix of an SSE parser's sliced string, most of what the template saves.
    if (end < prefix.length || text.substring(0, prefix.length) !== prefix || text.substring(end) !== suffix) return undefined;
    const start = prefix.length;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      // An escape, a quote or a raw control character: only a string literal of its own says what it is.
      if (code === QUOTE || code === BACKSLASH || code < 0x20) return stringLiteral(text, start, end);
    }
    // A slice would keep the whole network read alive for as long as the token is kept (the
    // completion cache assembles them): JSON.parse makes a string of its own, as a full parse does.
    return end - start >= SLICED_FROM ? stringLiteral(text, start, end) : text.slice(start, end);
  }
}

/**
 * The slot `text[start, end)` with its quotes, when that is exactly one JSON string: then the
 * string that starts at the slot's opening quote ends at its closing quote in the whole chunk too.
 * Anything else (an unescaped quote, a trailing backslash, a raw control character) is not.
 */
function stringLiteral(text: string, start: number, end: number): string | undefined {
  try {
    // With the slot's quotes.
    const value: unknown = JSON.parse(text.slice(start - 1, end + 1));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Templates a stream may make that then fit no chunk, before it stops making them (chunks that all differ). */
const UNUSED_TEMPLATES = 2;

/**
 * A stream decoder's current template, learnt from the chunks it parses in full: a chunk whose
 * slot `readSlot` reads (one that carries a string and nothing else the decoder reads) becomes
 * the template when the last one did not fit it, from the stream's second such chunk on (a
 * stream held open after its first token holds no template). A stream whose templates keep
 * going unused (OpenAI's `obfuscation` padding makes every chunk differ) stops making them.
 */
export class ChunkTemplates {
  private template: ChunkTemplate | undefined;
  /** Whether a chunk has fit the current template. */
  private fitted = false;
  /** Templates replaced or refused without a chunk fitting them. */
  private unused: number;
  /** Chunks with a slot seen so far (the first makes no template). */
  private seen = 0;

  constructor(
    private readonly readSlot: (chunk: unknown) => string | undefined,
    /** The part a fitting chunk decodes to: its slot's text as a delta of this kind. */
    private readonly part: 'text-delta' | 'reasoning-delta',
    /** False: every chunk is parsed in full (the reference the templates are tested against). */
    enabled = true,
  ) {
    this.unused = enabled ? 0 : UNUSED_TEMPLATES;
  }

  /** The slot's string in `data`, when `data` fits the current template. */
  valueIn(data: string): string | undefined {
    const value = this.template?.valueIn(data);
    if (value !== undefined) this.fitted = true;
    return value;
  }

  /** True when `data` fits, with its slot's text as a delta in `out` (none for empty text). */
  decode(data: string, out: ChatStreamPart[]): boolean {
    const text = this.valueIn(data);
    if (text === undefined) return false;
    if (text) out.push({ type: this.part, text });
    return true;
  }

  /** `data`, parsed in full into `chunk`, as the next template, if it can be one. */
  learn(data: string, chunk: unknown): void {
    if (this.unused >= UNUSED_TEMPLATES) return;
    const value = this.readSlot(chunk);
    // Empty text opens a stream (OpenAI's chunk with the role), and the next chunks do not repeat it.
    if (!value || this.seen++ === 0) return;
    if (this.template && !this.fitted && ++this.unused >= UNUSED_TEMPLATES) {
      this.template = undefined;
      return;
    }
    this.template = ChunkTemplate.around(data, value, this.readSlot);
    this.fitted = false;
    if (!this.template) this.unused++;
  }
}
