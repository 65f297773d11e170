import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const HEADER = 'x-request-id';
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** The caller's `x-request-id` when it is sane, else a fresh UUID. */
export function requestIdFrom(incoming: string | string[] | null | undefined): string {
  return typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}

/** The request id of a request that went through `useRequestId` (new one otherwise). */
export function requestIdOf(request: Request | undefined): string {
  return (request && ids.get(request)) ?? randomUUID();
}

/**
 * Gives every HTTP request an id: the caller's `x-request-id` when it is sane,
 * else a fresh UUID; echoed in the response header so clients can quote it.
 */
export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      ids.set(request, requestIdFrom(request.headers.get(HEADER)));
    },
    onResultProcess({ request, result }) {
      // Errors carry the id too, so a client that only logs the error body can still quote it.
      const id = ids.get(request);
      if (!id || Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      for (const error of (result as { errors?: { extensions?: Record<string, unknown> }[] }).errors ?? []) {
        error.extensions = { ...error.extensions, requestId: id };
      }
    },
    onResponse({ request, response }) {
      const id = ids.get(request);
      if (id) response.headers.set(HEADER, id);
    },
  };
}
