import type { ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../contract.js';

/** What the `tools` demo model answers: a call of one tool, or text. */
export type ToolsAnswer = { kind: 'call'; call: ToolCall } | { kind: 'text'; text: string };

function lastUserText(messages: readonly ChatMessage[]): string {
  return [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

/** The name of the first string property of an object schema (required ones first), if any. */
function firstStringProperty(parameters: ToolDefinition['parameters']): string | undefined {
  const properties = parameters?.properties;
  if (!properties || typeof properties !== 'object') return undefined;
  const names = Object.keys(properties);
  const required = Array.isArray(parameters.required) ? parameters.required.filter((name): name is string => typeof name === 'string') : [];
  const isString = (name: string) => (properties as Record<string, { type?: unknown } | undefined>)[name]?.type === 'string';
  return [...required, ...names].find((name) => names.includes(name) && isString(name));
}

/** The tool to call: the one `toolChoice` names, else the first. */
function chosenTool(request: ChatRequest): ToolDefinition | undefined {
  const choice = request.toolChoice;
  if (choice?.type === 'tool') return request.tools?.find((tool) => tool.name === choice.name);
  return request.tools?.[0];
}

/**
 * The `tools` demo model: shows tool calling end to end without a provider key.
 * With tools (and a toolChoice other than NONE) it calls the chosen tool, passing
 * the last user message as the tool's first string argument. Once the
 * conversation ends with tool results, it answers in text with what they said.
 */
export function answerWithTools(request: ChatRequest, callId: string): ToolsAnswer {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') {
    const calls = request.messages.flatMap((message) => message.toolCalls ?? []);
    // Every result since the assistant's last turn, in order.
    const start = request.messages.findLastIndex((message) => message.role !== 'tool') + 1;
    const results = request.messages.slice(start).map((message) => {
      const name = calls.find((call) => call.id === message.toolCallId)?.name ?? 'the tool';
      return `${name} returned ${message.content ?? 'nothing'}`;
    });
    return { kind: 'text', text: `${results.join('; ')}.` };
  }
  const tool = request.toolChoice?.type === 'none' ? undefined : chosenTool(request);
  if (!tool) {
    return { kind: 'text', text: 'Give me tools (and a question) and I will call the first one.' };
  }
  const property = firstStringProperty(tool.parameters);
  const args = property ? { [property]: lastUserText(request.messages) } : {};
  return { kind: 'call', call: { id: callId, name: tool.name, arguments: JSON.stringify(args) } };
}

/** Splits a tool call's JSON arguments into pieces of about `size` characters, as a model streams them. */
export function splitArguments(text: string, size = 8): string[] {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces.length > 0 ? pieces : [''];
}
