import {
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import { toChatRequest, type ChatInputShape } from '../schema/to-chat-request.js';
import type { ChatService, ChatTicket } from '../services/chat-service.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';

/** The model-call field admitted per operation. */
const CHAT_FIELD = 'chat';

/** What admission decided for one operation: a ticket per field, or why none may run. */
type Decision = { tickets: Map<string, ChatTicket> } | { refusal: unknown; field?: string };

const decisions = new WeakMap<object, Decision>();

/** The error a field throws when the operation was refused: the refusal itself, or, for a sibling's bad input, one that names it. */
function refusalFor(decision: { refusal: unknown; field?: string }, responseKey: string): unknown {
  const { refusal, field } = decision;
  if (field === undefined || field === responseKey || !isGatewayError(refusal)) return refusal;
  return new GatewayError(refusal.code, `Not run: "${field}" in the same operation was refused: ${refusal.message}`, { details: { ...refusal.details, field } });
}

/**
 * The ticket `useChatAdmission` took for the `chat` field at `responseKey` of this
 * context's operation, once (a field resolved twice takes its own limits the second
 * time); undefined when it did not run. Throws when the operation was refused, so the
 * refusal reaches the client exactly like an error of the field itself.
 */
export function takeChatTicket(context: object, responseKey: string): ChatTicket | undefined {
  const decision = decisions.get(context);
  if (!decision) return undefined;
  if ('refusal' in decision) throw refusalFor(decision, responseKey);
  const ticket = decision.tickets.get(responseKey);
  decision.tickets.delete(responseKey);
  return ticket;
}

/** Root `chat` fields that will run (fragments followed, @skip/@include applied), by response key. */
function chatFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, variables: Record<string, unknown>, into = new Map<string, FieldNode>()) {
  for (const selection of selectionSet.selections) {
    if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) continue;
    if (getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === CHAT_FIELD) into.set(selection.alias?.value ?? CHAT_FIELD, selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      chatFields(selection.selectionSet, fragments, variables, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      // Visited once: validation refuses fragment cycles, and a repeated spread adds nothing.
      if (fragment) {
        fragments.delete(selection.name.value);
        chatFields(fragment.selectionSet, fragments, variables, into);
      }
    }
  }
  return into;
}

/**
 * The coerced `input` of every `chat` field of an operation without variables, by response key: such
 * an operation's fields, directives and arguments are fixed, so they are coerced once per parsed
 * document (cached by the document cache), not once more per request. Never mutated: each request
 * makes its own request objects from them.
 */
const fixedInputs = new WeakMap<OperationDefinitionNode, ReadonlyMap<string, ChatInputShape>>();

/** Every `chat` field's coerced `input`, by response key; throws naming the field whose input is invalid. */
function chatInputs(field: GraphQLField<unknown, unknown>, operation: OperationDefinitionNode, document: DocumentNode, variables: Record<string, unknown>) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const inputs = new Map<string, ChatInputShape>();
  for (const [key, node] of chatFields(operation.selectionSet, fragments, variables)) {
    try {
      inputs.set(key, (getArgumentValues(field, node, variables) as { input: ChatInputShape }).input);
    } catch (error: unknown) {
      throw Object.assign(new Error('invalid chat input'), { field: key, refusal: error });
    }
  }
  return inputs;
}

/** The operation's `chat` requests by response key, or undefined when execution itself will refuse it (bad variables). */
function chatRequests(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, rawVariables: Record<string, unknown> | null | undefined) {
  const operation = getOperationAST(document, operationName);
  const field = schema.getMutationType()?.getFields()[CHAT_FIELD];
  if (operation?.operation !== 'mutation' || !field) return undefined;
  let inputs: ReadonlyMap<string, ChatInputShape> | undefined;
  if (!operation.variableDefinitions?.length) {
    inputs = fixedInputs.get(operation);
    if (!inputs) fixedInputs.set(operation, (inputs = chatInputs(field, operation, document, {})));
  } else {
    const coerced = getVariableValues(schema, operation.variableDefinitions, rawVariables ?? {});
    if (coerced.errors) return undefined;
    inputs = chatInputs(field, operation, document, coerced.coerced);
  }
  const requests = new Map<string, ReturnType<typeof toChatRequest>>();
  for (const [key, input] of inputs) {
    try {
      requests.set(key, toChatRequest(input));
    } catch (error: unknown) {
      throw Object.assign(new Error('invalid chat input'), { field: key, refusal: error });
    }
  }
  return requests;
}

/**
 * All-or-nothing admission of the `chat` fields of one mutation: before anything
 * executes, every field's input is checked and its allow-list, route, requests,
 * tokens and budget are reserved, with one concurrency slot for the operation
 * (mutation fields run one after another). One refusal (or one invalid input) and
 * no field calls upstream: the first `chat` field fails with that error (RATE_LIMITED:
 * 429 and Retry-After), which, `chat` being non-null, ends the operation before the
 * next one, so an answer is never paid for and then discarded. Everything unused is
 * given back when the operation ends.
 */
export function useChatAdmission(): Plugin {
  return {
    async onExecute({ args }) {
      const context = args.contextValue as { principal?: Principal; chat?: ChatService };
      const { principal, chat } = context;
      if (!principal || !chat) return undefined;
      let batch: Awaited<ReturnType<ChatService['admitOperation']>>;
      let keys: string[];
      try {
        const requests = chatRequests(args.schema, args.document, args.operationName, args.variableValues);
        if (!requests || requests.size === 0) return undefined;
        keys = [...requests.keys()];
        batch = await chat.admitOperation([...requests.values()], principal);
      } catch (error: unknown) {
        const keyed = error instanceof Error && 'refusal' in error ? (error as Error & { refusal: unknown; field: string }) : undefined;
        decisions.set(context, keyed ? { refusal: keyed.refusal, field: keyed.field } : { refusal: error });
        return undefined;
      }
      const tickets = new Map(keys.map((key, index) => [key, batch.tickets[index] as ChatTicket]));
      decisions.set(context, { tickets });
      const done = () => {
        // Fields that never ran (an earlier one failed, the client left) give their reservations back.
        for (const ticket of tickets.values()) ticket.admission.release();
        tickets.clear();
        batch.lease.release();
      };
      return {
        onExecuteDone({ result }) {
          // Incremental delivery (@defer): the operation ends with its last payload.
          if (Symbol.asyncIterator in result) return { onEnd: done };
          done();
          return undefined;
        },
      };
    },
  };
}
