import { GatewayError } from '../errors/gateway-error.js';

export type Body = Record<string, unknown>;

/**
 * What a REST endpoint does with one body parameter: `true` = honoured (or a
 * documented no-op); a function returns why the given value cannot be honoured,
 * or undefined when this value is fine (typically the parameter's default).
 */
export type ParamRule = true | ((value: unknown) => string | undefined);

/** A 400 naming the parameter, in OpenAI's shape (`param` set). */
export function invalidParam(param: string, message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', `${param}: ${message}`, { details: { field: param, param } });
}

export function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses a value that is set and is not the default, with the reason the gateway cannot honour it. */
export function onlyDefault(defaults: readonly unknown[], reason: string): ParamRule {
  return (value) => (defaults.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value)) ? undefined : reason);
}

/** Refuses any value. */
export const refuse = (reason: string): ParamRule => () => reason;

/**
 * Checks every parameter of a body against the endpoint's rules: a parameter
 * the gateway cannot honour is a 400 naming it, never silently dropped. Null
 * means "not set", as OpenAI treats it.
 */
export function checkParams(body: Body, rules: Readonly<Record<string, ParamRule>>, endpoint: string): void {
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (rule === undefined) throw invalidParam(name, `unrecognized request argument for ${endpoint}; this gateway does not support it.`);
    if (rule === true) continue;
    const reason = rule(value);
    if (reason) throw invalidParam(name, reason);
  }
}

/** An optional parameter of one JSON type (null and absent are undefined). */
export function optional<T>(body: Body, field: string, type: 'string' | 'number' | 'boolean'): T | undefined {
  const value = body[field];
  if (value == null) return undefined;
  if (typeof value !== type) throw invalidParam(field, `expected a ${type}`);
  return value as T;
}
