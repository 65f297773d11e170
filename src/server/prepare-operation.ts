import type { DocumentNode } from 'graphql';
import type { Authenticator } from '../auth/create-authenticator.js';
import { authenticateInitial } from '../plugins/use-authenticate-first.js';
import type { GatewayYoga, InitialContext } from './create-yoga.js';

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;

/** An operation ready to execute or subscribe through Yoga's envelop pipeline. */
export interface PreparedOperation {
  ok: true;
  enveloped: Enveloped;
  document: DocumentNode;
  contextValue: unknown;
}

/** An operation refused before it ran. */
export interface RefusedOperation {
  ok: false;
  /** Why, to report: the validation errors, or the one error of an earlier step; none when `takes` declined it. */
  errors: readonly unknown[];
}

/**
 * The steps every transport outside Yoga's HTTP handler takes before running an operation (the
 * fast lane and graphql-ws): authenticate before parsing, so a refused caller learns nothing
 * about the schema; then Yoga's envelop pipeline with its parser and validation caches and the
 * same plugins as HTTP; then the context. `takes` sees the parsed document before it is
 * validated: a caller that will hand the operation on anyway (the fast lane, to Yoga) says no.
 */
export async function prepareOperation(
  yoga: GatewayYoga,
  authenticator: Authenticator,
  initial: InitialContext & { params: { query: string } },
  credential: string | undefined,
  takes: (document: DocumentNode) => boolean = () => true,
): Promise<PreparedOperation | RefusedOperation> {
  try {
    await authenticateInitial(authenticator, initial, credential);
  } catch (error: unknown) {
    return { ok: false, errors: [error] };
  }
  const enveloped = yoga.getEnveloped(initial);
  let document: DocumentNode;
  try {
    document = enveloped.parse(initial.params.query);
  } catch (error: unknown) {
    return { ok: false, errors: [error] };
  }
  if (!takes(document)) return { ok: false, errors: [] };
  const errors = enveloped.validate(enveloped.schema, document);
  if (errors.length > 0) return { ok: false, errors };
  try {
    return { ok: true, enveloped, document, contextValue: await enveloped.contextFactory() };
  } catch (error: unknown) {
    return { ok: false, errors: [error] };
  }
}
