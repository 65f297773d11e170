import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth/create-authenticator.js';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../errors/gateway-error.js';

/** Where a transport leaves the caller it authenticated, on the initial context of one operation. */
export interface AuthenticatedContext {
  principal?: Principal;
}

/**
 * A refusal as a GraphQLError around the gateway error: the masking hook then keeps its message,
 * code and HTTP status, and Yoga does not log it as a failure of the gateway.
 */
export function refusalOf(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const cause = error instanceof GatewayError ? error : new GatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error.', { cause: error });
  return new GraphQLError(cause.message, { originalError: cause });
}

/**
 * Authenticates the caller of one operation and records it on the operation's initial context.
 * Every transport calls this (or, over HTTP through Yoga, `useAuthenticateFirst` does) before it
 * parses: an anonymous caller gets UNAUTHENTICATED and never meets the parser or the validator,
 * so it learns nothing about the schema and cannot fill the document caches.
 * @throws GraphQLError carrying the gateway's UNAUTHENTICATED (or STORE_UNAVAILABLE) error.
 */
export async function authenticateInitial(
  authenticator: Authenticator,
  context: AuthenticatedContext,
  credential: string | undefined,
): Promise<Principal> {
  try {
    context.principal = await authenticator.authenticate(credential);
    return context.principal;
  } catch (error: unknown) {
    throw refusalOf(error);
  }
}

/**
 * Authentication before parsing, for every operation:
 * - over HTTP through Yoga, `onParams` (after the body is read, before any parse) authenticates
 *   from the request's headers and leaves the principal on the operation's initial context;
 * - the parse hook refuses any operation whose transport did not authenticate first (when
 *   credentials are required), so a path that forgets to cannot leak schema hints.
 * The context factory then reuses the principal instead of authenticating a second time.
 */
export function useAuthenticateFirst(options: {
  authenticator: Authenticator;
  /** The caller's credential as the transport carries it (see `credentialOf`). */
  credentialOf: (initial: { request?: Request }) => string | undefined;
}): Plugin {
  const { authenticator } = options;
  return {
    async onParams({ request, context }) {
      const initial = context as AuthenticatedContext;
      if (initial.principal) return;
      await authenticateInitial(authenticator, initial, options.credentialOf({ request }));
    },
    onParse({ context }) {
      if (!authenticator.required || (context as AuthenticatedContext).principal) return;
      throw refusalOf(new GatewayError('UNAUTHENTICATED', 'Credentials are required: send "Authorization: Bearer <API key or token>".'));
    },
  };
}
