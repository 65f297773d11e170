import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { maskGatewayError } from '../../src/errors/mask-gateway-error.js';
import { ProviderError } from '../../src/providers/provider-error.js';

const MASK = 'Unexpected error.';

/** The GraphQLError a resolver's thrown `error` becomes before Yoga masks it. */
function fromResolver(error: Error): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, path: ['chat'] });
}

function masked(error: unknown): GraphQLError {
  const result = maskGatewayError(error, MASK);
  expect(result).toBeInstanceOf(GraphQLError);
  return result as GraphQLError;
}

describe('maskGatewayError: gateway errors', () => {
  it('keeps the message of a wrapped GatewayError and adds its code and details', () => {
    const original = new GatewayError('MODEL_NOT_FOUND', 'No model or route "gpt-9".', { details: { model: 'gpt-9' } });
    const error = fromResolver(original);
    const result = masked(error);
    expect(result).toBe(error);
    expect(result.message).toBe('No model or route "gpt-9".');
    expect(result.extensions).toMatchObject({ code: 'MODEL_NOT_FOUND', model: 'gpt-9' });
    expect(result.path).toEqual(['chat']);
    // Not a status code that ends the request over HTTP.
    expect(result.extensions.http).toBeUndefined();
  });

  it('finds a GatewayError nested under another GraphQLError', () => {
    const original = new GatewayError('BUDGET_EXCEEDED', 'Over budget.');
    const result = masked(new GraphQLError('outer', { originalError: fromResolver(original) }));
    expect(result.extensions.code).toBe('BUDGET_EXCEEDED');
  });

  it('turns a bare GatewayError into a GraphQLError with its message and code', () => {
    const result = masked(new GatewayError('BAD_USER_INPUT', 'input.topP: expected a number from 0 to 1', { details: { field: 'input.topP' } }));
    expect(result.message).toBe('input.topP: expected a number from 0 to 1');
    expect(result.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.topP' });
  });

  it('adds HTTP status 429 and a retry-after header to RATE_LIMITED', () => {
    const original = new GatewayError('RATE_LIMITED', 'Slow down.', { details: { retryAfterSeconds: 7 } });
    const result = masked(fromResolver(original));
    expect(result.message).toBe('Slow down.');
    expect(result.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 7,
      http: { status: 429, headers: { 'retry-after': '7' } },
    });
  });

  it('adds the status but no header to RATE_LIMITED without retryAfterSeconds', () => {
    const result = masked(fromResolver(new GatewayError('RATE_LIMITED', 'Slow down.')));
    expect(result.extensions.http).toEqual({ status: 429 });
  });

  it('maps a ProviderError with its provider and upstream status', () => {
    const original = new ProviderError('UPSTREAM_UNAVAILABLE', 'openai is down', { provider: 'openai', status: 503, retryable: true });
    const result = masked(fromResolver(original));
    expect(result.message).toBe('openai is down');
    expect(result.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'openai', upstreamStatus: 503 });
  });

  it('lets the code win over a details field named code', () => {
    const original = new GatewayError('FORBIDDEN', 'No.', { details: { code: 'SPOOFED' } });
    expect(masked(fromResolver(original)).extensions.code).toBe('FORBIDDEN');
  });
});

describe('maskGatewayError: unexpected errors', () => {
  it('masks a plain Error as INTERNAL_SERVER_ERROR without its message', () => {
    const result = masked(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'));
    expect(result.message).toBe(MASK);
    expect(result.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(result.toJSON())).not.toContain('hunter2');
    expect(result.originalError).toBeUndefined();
  });

  it('masks a resolver error wrapping a plain Error, keeping its path', () => {
    const result = masked(fromResolver(new TypeError("Cannot read properties of undefined (reading 'secret')")));
    expect(result.message).toBe(MASK);
    expect(result.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(result.path).toEqual(['chat']);
    expect(JSON.stringify(result.toJSON())).not.toContain('secret');
  });

  it('masks a thrown non-Error value', () => {
    const result = masked('a string with a token sk-live-123');
    expect(result.message).toBe(MASK);
    expect(JSON.stringify(result.toJSON())).not.toContain('sk-live');
  });
});

describe('maskGatewayError: request errors', () => {
  it('turns a validation error into BAD_USER_INPUT and keeps its message', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const result = masked(error);
    expect(result.message).toBe('Cannot query field "nope" on type "Query".');
    expect(result.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('turns parse errors and code-less request errors into BAD_USER_INPUT', () => {
    expect(masked(new GraphQLError('Syntax Error', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })).extensions.code).toBe('BAD_USER_INPUT');
    expect(masked(new GraphQLError('Variable "$input" got invalid value')).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('keeps the code and extensions of a request error that already has a specific code', () => {
    const error = new GraphQLError('Too deep.', { extensions: { code: 'BAD_USER_INPUT', limit: 'maxDepth' } });
    expect(masked(error).extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'maxDepth' });
    const other = new GraphQLError('Persisted query not found', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect(masked(other).extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
