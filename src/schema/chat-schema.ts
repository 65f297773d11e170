import { CHAT_ROLES, FINISH_REASONS } from '../providers/contract.js';
import { ATTEMPT_OUTCOMES, type Attempt } from '../routing/attempt.js';
import type { ChatCompletion, ChatStreamEvent, CompletionUsage, ToolCallDelta } from '../services/chat-types.js';
import { takeChatTicket } from '../plugins/use-chat-admission.js';
import { abortOnReturn } from './abort-on-return.js';
import { addContentPartInputs } from './content-parts-schema.js';
import type { Builder } from './builder.js';
import { enumValues } from './enum-values.js';
import { createStreamText } from './stream-text.js';
import { toChatRequest } from './to-chat-request.js';
import { callFor } from './context.js';

/** ChatInput, ChatCompletion, ChatStreamEvent, `Mutation.chat` and `Subscription.chatStream`. */
export function addChatSchema(builder: Builder) {
  const ChatRole = builder.enumType('ChatRole', {
    description: 'Who wrote a message.',
    values: enumValues(CHAT_ROLES, {
      system: 'Instructions for the model.',
      user: 'The end user.',
      assistant: 'The model.',
      tool: 'The result of a tool call, answering `toolCallId`.',
    }),
  });
  const FinishReason = builder.enumType('FinishReason', {
    description: 'Why the model stopped.',
    values: enumValues(FINISH_REASONS, {
      stop: 'It finished its answer or hit a stop sequence.',
      length: 'It hit `maxTokens` or its output limit: the answer is cut off.',
      tool_calls: 'It wants tools called (see `toolCalls`).',
      content_filter: "The provider's content filter withheld the answer.",
      other: 'Any other reason the provider gave.',
    }),
  });
  const AttemptOutcome = builder.enumType('AttemptOutcome', {
    description: 'How one try against one target ended.',
    values: enumValues(ATTEMPT_OUTCOMES, {
      success: 'The target answered.',
      failed: 'The target failed (see `errorCode`).',
      timed_out: 'The target did not answer in time.',
      skipped: "The target was not tried: its circuit breaker was open, or it lacks a capability the request needs (see `reason`).",
    }),
  });
  const ToolChoiceMode = builder.enumType('ToolChoiceMode', {
    description: 'Whether and which tools the model may call.',
    values: enumValues(['auto', 'none', 'required', 'tool'] as const, {
      auto: 'The model decides.',
      none: 'No tool calls.',
      required: 'At least one tool call.',
      tool: 'Exactly the tool named in `ToolChoiceInput.name`.',
    }),
  });
  const ResponseFormatType = builder.enumType('ResponseFormatType', {
    description: 'The shape of the answer.',
    values: enumValues(['text', 'json_object', 'json_schema'] as const, {
      text: 'Free text (the default).',
      json_object: 'One JSON object.',
      json_schema: 'JSON that matches `ResponseFormatInput.schema`.',
    }),
  });

  const ToolCallInput = builder.inputType('ToolCallInput', {
    description: 'A tool call the assistant made earlier in the conversation.',
    fields: (t) => ({
      id: t.string({ required: true, description: 'The call id the TOOL message answers.' }),
      name: t.string({ required: true, description: 'The tool name.' }),
      arguments: t.string({ required: true, description: 'The arguments, as JSON text.' }),
    }),
  });
  const { ContentPartInput, ReasoningInput } = addContentPartInputs(builder);
  const ChatMessageInput = builder.inputType('ChatMessageInput', {
    description: 'One message of the conversation.',
    fields: (t) => ({
      role: t.field({ type: ChatRole, required: true, description: 'Who wrote it.' }),
      content: t.string({ description: 'The text. May be null only for an ASSISTANT message with toolCalls, or when parts are given.' }),
      parts: t.field({
        type: [ContentPartInput],
        description: 'Text, images, files and audio, instead of content (exactly one of the two). USER messages only.',
      }),
      name: t.string({ description: 'Optional participant name.' }),
      toolCallId: t.string({ description: 'For TOOL messages: the id of the call this answers.' }),
      toolCalls: t.field({ type: [ToolCallInput], description: 'For ASSISTANT messages: the tools it called.' }),
      reasoning: t.string({
        description:
          'For ASSISTANT messages: the reasoning of that turn, as `ChatMessage.reasoning` returned it. Sent back so a reasoning model continues its own thinking (needed for multi-turn tool use with Anthropic and Gemini).',
      }),
      reasoningSignature: t.string({
        description:
          'For ASSISTANT messages: `ChatMessage.reasoningSignature` (or the last `ChatStreamEvent.reasoningSignature`) of that turn, unchanged. Opaque; a provider that did not make it ignores it.',
      }),
    }),
  });
  const ToolInput = builder.inputType('ToolInput', {
    description: 'A tool (function) the model may call.',
    fields: (t) => ({
      name: t.string({ required: true, description: '1-64 letters, digits, _ or -.' }),
      description: t.string({ description: 'What it does; the model reads this.' }),
      parameters: t.field({ type: 'JSON', description: 'JSON Schema of its arguments (an object schema).' }),
    }),
  });
  const ToolChoiceInput = builder.inputType('ToolChoiceInput', {
    description: 'Which tools the model may call.',
    fields: (t) => ({
      mode: t.field({ type: ToolChoiceMode, required: true, description: 'AUTO, NONE, REQUIRED, or TOOL with `name`.' }),
      name: t.string({ description: 'The tool to call, with mode TOOL.' }),
    }),
  });
  const ResponseFormatInput = builder.inputType('ResponseFormatInput', {
    description: 'Ask for JSON instead of free text.',
    fields: (t) => ({
      type: t.field({ type: ResponseFormatType, required: true, description: 'TEXT, JSON_OBJECT or JSON_SCHEMA.' }),
      name: t.string({ description: 'With JSON_SCHEMA: a name for the schema.' }),
      schema: t.field({ type: 'JSON', description: 'With JSON_SCHEMA: the JSON Schema the answer must match.' }),
      strict: t.boolean({ description: 'With JSON_SCHEMA: enforce the schema strictly where the provider can (default true).' }),
    }),
  });
  const ChatInput = builder.inputType('ChatInput', {
    description: 'A chat completion request.',
    fields: (t) => ({
      model: t.string({ required: true, description: 'A model id (e.g. "local/echo") or a route id (e.g. "demo").' }),
      messages: t.field({ type: [ChatMessageInput], required: true, description: 'The conversation so far (at least one message).' }),
      temperature: t.float({ description: 'Sampling temperature, 0 to 2.' }),
      topP: t.float({ description: 'Nucleus sampling, 0 to 1.' }),
      maxTokens: t.int({ description: 'Most completion tokens to generate.' }),
      stop: t.stringList({ description: 'Up to 16 sequences that end the answer.' }),
      seed: t.int({ description: 'Seed for (best-effort) deterministic sampling, where the provider supports it.' }),
      tools: t.field({ type: [ToolInput], description: 'Tools the model may call.' }),
      toolChoice: t.field({ type: ToolChoiceInput, description: 'Which tools it may call (default: AUTO when tools are given).' }),
      responseFormat: t.field({ type: ResponseFormatInput, description: 'Ask for JSON output.' }),
      user: t.string({ description: 'Your end-user id, forwarded to the provider for abuse monitoring.' }),
      reasoning: t.field({ type: ReasoningInput, description: 'Ask the model to reason first (needs the REASONING capability).' }),
      cache: t.boolean({
        description: 'The completion cache: true = use it, false = bypass it, null = the configured policy (by default: cached when temperature is 0).',
      }),
    }),
  });

  const ToolCall = builder.objectRef<{ id: string; name: string; arguments: string }>('ToolCall').implement({
    description: 'A tool call the model wants made.',
    fields: (t) => ({
      id: t.exposeString('id', { description: 'Answer it with a TOOL message whose toolCallId is this.' }),
      name: t.exposeString('name', { description: 'The tool name.' }),
      arguments: t.exposeString('arguments', { description: 'The arguments, as JSON text.' }),
    }),
  });
  const ChatMessage = builder
    .objectRef<Pick<ChatCompletion, 'content' | 'toolCalls' | 'reasoning'>>('ChatMessage')
    .implement({
      description: "The model's answer.",
      fields: (t) => ({
        role: t.field({ type: ChatRole, description: 'Always ASSISTANT.', resolve: () => 'assistant' as const }),
        content: t.exposeString('content', { nullable: true, description: 'The text; null when the model only called tools.' }),
        toolCalls: t.field({ type: [ToolCall], description: 'Tool calls, in order (empty when none).', resolve: (message) => message.toolCalls }),
        reasoning: t.string({
          nullable: true,
          description:
            "What a reasoning model thought before answering (OpenAI-compatible `reasoning_content`, Anthropic thinking, Gemini thoughts), never part of `content`; null when it gave none. Send it back in `ChatMessageInput.reasoning` with this turn.",
          resolve: (message) => message.reasoning?.text ?? null,
        }),
        reasoningSignature: t.string({
          nullable: true,
          description:
            'Opaque proof the provider needs to accept `reasoning` back on the next turn (Anthropic thinking signatures, Gemini thought signatures); null when it needs none. Send it back unchanged in `ChatMessageInput.reasoningSignature`.',
          resolve: (message) => message.reasoning?.signature ?? null,
        }),
      }),
    });
  const Usage = builder.objectRef<CompletionUsage>('Usage').implement({
    description: 'Tokens used and what they cost.',
    fields: (t) => ({
      promptTokens: t.exposeInt('promptTokens', { description: 'Input tokens.' }),
      completionTokens: t.exposeInt('completionTokens', { description: 'Output tokens, reasoning tokens included.' }),
      totalTokens: t.exposeInt('totalTokens', { description: 'promptTokens + completionTokens.' }),
      reasoningTokens: t.exposeInt('reasoningTokens', {
        description: 'The part of completionTokens the model spent reasoning (priced as output); 0 when the provider does not say.',
      }),
      cachedPromptTokens: t.exposeInt('cachedPromptTokens', {
        description:
          "The part of promptTokens read from the provider's prompt cache (priced at the model's `pricing.cachedInput` when set); 0 when the provider does not say.",
      }),
      costUsd: t.exposeFloat('costUsd', { nullable: true, description: 'Cost in US dollars; null when the model has no pricing.' }),
      estimated: t.exposeBoolean('estimated', { description: 'True when the provider reported no usage and the gateway estimated it.' }),
    }),
  });
  const AttemptRef = builder.objectRef<Attempt>('Attempt').implement({
    description: 'One try against one route target.',
    fields: (t) => ({
      model: t.exposeString('model', { description: 'The model id tried.' }),
      provider: t.exposeString('provider', { description: 'Its provider id.' }),
      outcome: t.field({ type: AttemptOutcome, description: 'How it ended.', resolve: (attempt) => attempt.outcome }),
      latencyMs: t.exposeFloat('latencyMs', { description: 'Time spent on it (for streams: until the first token), in milliseconds.' }),
      errorCode: t.exposeString('errorCode', { nullable: true, description: 'The error code when it failed.' }),
      reason: t.exposeString('reason', { nullable: true, description: 'Why a SKIPPED target was not tried, when it was not its breaker.' }),
    }),
  });
  const ChatCompletionRef = builder.objectRef<ChatCompletion>('ChatCompletion').implement({
    description: 'A complete answer.',
    fields: (t) => ({
      id: t.exposeID('id', { description: "The provider's response id." }),
      model: t.exposeString('model', { description: 'The model id that answered (after route resolution).' }),
      provider: t.exposeString('provider', { description: 'The provider id that answered.' }),
      message: t.field({ type: ChatMessage, description: 'The answer.', resolve: (completion) => completion }),
      finishReason: t.field({ type: FinishReason, description: 'Why it stopped.', resolve: (completion) => completion.finishReason }),
      usage: t.field({ type: Usage, description: 'Tokens and cost.', resolve: (completion) => completion.usage }),
      cached: t.exposeBoolean('cached', { description: 'True when served from the completion cache.' }),
      attempts: t.field({ type: [AttemptRef], description: 'Every target tried, in order.', resolve: (completion) => completion.attempts }),
      latencyMs: t.exposeFloat('latencyMs', { description: 'Time from request to answer inside the gateway, in milliseconds.' }),
    }),
  });
  const ToolCallDeltaRef = builder.objectRef<ToolCallDelta>('ToolCallDelta').implement({
    description: 'A piece of a streamed tool call; pieces with the same index join into one call.',
    fields: (t) => ({
      index: t.exposeInt('index', { description: 'Which call this piece belongs to.' }),
      id: t.exposeString('id', { nullable: true, description: 'The call id (in its first piece).' }),
      name: t.exposeString('name', { nullable: true, description: 'The tool name (in its first piece).' }),
      argumentsDelta: t.exposeString('argumentsDelta', { nullable: true, description: 'More of the arguments JSON text.' }),
    }),
  });
  const streamText = createStreamText();
  const ChatStreamEventRef = builder.objectRef<ChatStreamEvent>('ChatStreamEvent').implement({
    description: 'One event of a streamed answer. Deltas join to the full text; exactly the last event has `done: true`.',
    fields: (t) => ({
      id: t.exposeID('id', { description: "The provider's response id." }),
      model: t.exposeString('model', { description: 'The model id that answers.' }),
      provider: t.exposeString('provider', { description: 'The provider id that answers.' }),
      reasoningDelta: t.exposeString('reasoningDelta', {
        nullable: true,
        description:
          "More of the model's reasoning, or null. Never joined with `delta`: all reasoning of a turn arrives before its first text delta.",
      }),
      delta: t.exposeString('delta', { nullable: true, description: 'More text, or null.' }),
      text: t.string({
        nullable: true,
        description:
          'The text so far: every delta up to and including this event (the whole answer on the last event). Kept only when selected; handy where only the latest event is shown, as in GraphiQL.',
        resolve: (event, _args, context) => streamText(event, context),
      }),
      toolCallDeltas: t.field({
        type: [ToolCallDeltaRef],
        nullable: true,
        description: 'Pieces of tool calls, or null.',
        resolve: (event) => event.toolCallDeltas,
      }),
      finishReason: t.field({ type: FinishReason, nullable: true, description: 'On the last event: why it stopped.', resolve: (event) => event.finishReason }),
      usage: t.field({ type: Usage, nullable: true, description: 'On the last event: tokens and cost.', resolve: (event) => event.usage }),
      attempts: t.field({ type: [AttemptRef], nullable: true, description: 'On the last event: every target tried.', resolve: (event) => event.attempts }),
      reasoningSignature: t.exposeString('reasoningSignature', {
        nullable: true,
        description:
          'On the last event: the opaque reasoning signature of this turn (see `ChatMessage.reasoningSignature`), null when none. Send it back in `ChatMessageInput.reasoningSignature`.',
      }),
      cached: t.exposeBoolean('cached', { nullable: true, description: 'On the last event: true when the answer was replayed from the completion cache.' }),
      done: t.exposeBoolean('done', { description: 'True on the last event only.' }),
    }),
  });

  builder.mutationType({
    description: 'Run models.',
    fields: (t) => ({
      chat: t.field({
        type: ChatCompletionRef,
        description: 'A chat completion: the whole answer at once. For tokens as they come, subscribe to `chatStream`.',
        args: { input: t.arg({ type: ChatInput, required: true }) },
        authScopes: { scope: 'chat' },
        resolve: async (_root, { input }, context, info) => {
          const request = toChatRequest(input);
          // Admitted with the operation's other chat fields, before any of them ran (useChatAdmission).
          const ticket = takeChatTicket(context, String(info.path.key));
          // Ends when the client goes away or the shutdown grace period is over.
          const call = callFor(context);
          try {
            return await context.chat.chat(request, { principal: context.principal, requestId: context.requestId, signal: call.signal, ...(ticket ? { ticket } : {}) });
          } finally {
            call.close();
          }
        },
      }),
    }),
  });

  builder.subscriptionType({
    description: 'Stream answers token by token (graphql-ws or SSE).',
    fields: (t) => ({
      chatStream: t.field({
        type: ChatStreamEventRef,
        description: 'A chat completion streamed as it is generated. Unsubscribing stops the upstream request at once.',
        args: { input: t.arg({ type: ChatInput, required: true }) },
        authScopes: { scope: 'chat' },
        subscribe: (_root, { input }, context) => {
          const request = toChatRequest(input);
          // Aborted by unsubscribing, by the client leaving, or when the shutdown grace is over.
          const call = callFor(context);
          const chatCall = { principal: context.principal, requestId: context.requestId, signal: call.signal };
          return abortOnReturn(context.chat.stream(request, chatCall), call);
        },
        resolve: (event) => event,
      }),
    }),
  });
}
