import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { takeFirstEvent } from '../server/take-first-event.js';

/**
 * Yoga's side of `takeFirstEvent`: a stream (SSE, multipart) whose first event is a refusal is
 * answered as that single result, so Yoga's processors give it its HTTP status (429 +
 * `Retry-After`, 401, 403) instead of a 200 stream. The fast lane does the same in `writeSse`.
 */
export function useSseRefusals(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (!isAsyncIterable(result)) return;
      return takeFirstEvent(result as AsyncIterable<ExecutionResult>).then((first) => {
        setResult('refused' in first ? first.refused : first.stream);
      });
    },
  };
}
