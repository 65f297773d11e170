import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';

/** Options for `useBodyLimit`. */
export interface BodyLimitOptions {
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
}

function tooLarge(maxBodyBytes: number) {
  return createGraphQLError(`Request body is larger than ${maxBodyBytes} bytes.`, {
    extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } },
  });
}

async function readLimited(request: Request, maxBodyBytes: number): Promise<string> {
  if (!request.body) return '';
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Refuses request bodies over the limit with PAYLOAD_TOO_LARGE (HTTP 413): at
 * once when Content-Length says so, or while reading a chunked JSON body.
 */
export function useBodyLimit(options: BodyLimitOptions): Plugin {
  const { maxBodyBytes } = options;
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (Number(declared) > maxBodyBytes) throw tooLarge(maxBodyBytes);
        return;
      }
      if (!request.headers.get('content-type')?.includes('json')) return;
      setRequestParser(async (limited): Promise<GraphQLParams> => {
        const text = await readLimited(limited, maxBodyBytes);
        try {
          return JSON.parse(text) as GraphQLParams;
        } catch {
          throw createGraphQLError('Request body is not valid JSON.', {
            extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
          });
        }
      });
    },
  };
}
