/**
 * Switchboard's OpenAI-compatible surface (`/v1`) from the official `openai`
 * SDK: point `baseURL` at the gateway and use a Switchboard key. Shown here:
 * reading a reasoning model's thinking on Chat Completions (`reasoning_content`,
 * streamed before the answer), and a stateless Responses conversation whose
 * reasoning, signature included, goes back upstream on the next turn.
 *
 * ```ts
 * const client = createSwitchboardOpenAI({ baseURL: 'http://localhost:4000/v1', apiKey: 'sb-...' });
 * const { reasoning, answer } = await streamWithReasoning(client, 'local/think', 'Why is the sky blue?', (kind, text) => process.stdout.write(text));
 * const turns = await converse(client, 'local/think', ['Why is the sky blue?', 'And at sunset?']);
 * ```
 */
import OpenAI from 'openai';

export interface SwitchboardOpenAIOptions {
  /** `http(s)://host:port/v1` */
  baseURL: string;
  /** A Switchboard API key or JWT (sent as `Authorization: Bearer …`). */
  apiKey?: string;
}

/** An `openai` client on the gateway, with the SDK's default retries. */
export function createSwitchboardOpenAI(options: SwitchboardOpenAIOptions): OpenAI {
  // The SDK refuses to start without a key; an open gateway (no keys configured) ignores it.
  return new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey ?? 'unused' });
}

/** The delta the SDK's types do not name: OpenAI-compatible reasoning servers' `reasoning_content`. */
type ReasoningDelta = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null };

/**
 * Streams one Chat Completions answer, handing each piece to `onText` as it
 * arrives: the reasoning first, then the answer. Resolves with both, whole,
 * and the reasoning tokens the model spent.
 */
export async function streamWithReasoning(
  client: OpenAI,
  model: string,
  prompt: string,
  onText: (kind: 'reasoning' | 'answer', text: string) => void = () => undefined,
): Promise<{ reasoning: string; answer: string; reasoningTokens: number }> {
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });
  let reasoning = '';
  let answer = '';
  let reasoningTokens = 0;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as ReasoningDelta | undefined;
    if (delta?.reasoning_content) {
      reasoning += delta.reasoning_content;
      onText('reasoning', delta.reasoning_content);
    }
    if (delta?.content) {
      answer += delta.content;
      onText('answer', delta.content);
    }
    reasoningTokens = chunk.usage?.completion_tokens_details?.reasoning_tokens ?? reasoningTokens;
  }
  return { reasoning, answer, reasoningTokens };
}

/**
 * A multi-turn Responses conversation kept by the client (the gateway stores
 * nothing): each turn sends the whole history, including the previous turns'
 * output items, reasoning items with their `encrypted_content` among them.
 * Resolves with each turn's answer text.
 */
export async function converse(client: OpenAI, model: string, prompts: string[]): Promise<string[]> {
  const history: OpenAI.Responses.ResponseInputItem[] = [];
  const answers: string[] = [];
  for (const prompt of prompts) {
    history.push({ role: 'user', content: prompt });
    const response = await client.responses.create({ model, input: history, include: ['reasoning.encrypted_content'] });
    history.push(...(response.output as OpenAI.Responses.ResponseInputItem[]));
    answers.push(response.output_text);
  }
  return answers;
}
