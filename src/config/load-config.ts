import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, formatConfigPath } from './config-error.js';
import { configFileSchema, type GatewayConfig } from './config-schema.js';
import { interpolateEnv } from './interpolate-env.js';
import { resolveConfig } from './resolve-config.js';

export interface LoadConfigOptions {
  /** `--config` from the command line. */
  configPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export const EMBEDDED_DEFAULT = 'embedded default';

/** Which file to read: --config, then SWITCHBOARD_CONFIG, then ./switchboard.yaml if present. */
export function findConfigFile(options: LoadConfigOptions): string | undefined {
  const explicit = options.configPath ?? options.env.SWITCHBOARD_CONFIG;
  if (explicit) return resolve(options.cwd, explicit);
  const local = resolve(options.cwd, 'switchboard.yaml');
  return existsSync(local) ? local : undefined;
}

/** Parses and validates a config document (YAML text); `source` names it in errors. */
export function parseConfig(
  text: string | undefined,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
): GatewayConfig {
  let document: unknown = {};
  if (text !== undefined) {
    try {
      document = parseYaml(text) ?? {};
    } catch (error: unknown) {
      const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
      throw new ConfigError(source, [`not valid YAML${where}: ${error instanceof Error ? error.message.split('\n')[0] : ''}`]);
    }
  }
  const problems: string[] = [];
  const interpolated = interpolateEnv(document, env, problems);
  const parsed = configFileSchema.safeParse(interpolated);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.map((key) => `"${key}"`).join(', ')})` : '';
      problems.push(`${formatConfigPath(issue.path)}: ${issue.message}${keys && !issue.message.includes('"') ? keys : ''}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
  const resolved = resolveConfig(parsed.data, source, env, text === undefined);
  if (resolved.problems.length > 0) throw new ConfigError(source, resolved.problems);
  const { config } = resolved;
  if (env.PORT !== undefined) {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError('environment', [`PORT: expected a port number, got "${env.PORT}"`]);
    config.server.port = port;
  }
  return config;
}

/** Loads the config the process runs on, or the embedded default when there is no file. */
export async function loadConfig(options: LoadConfigOptions): Promise<GatewayConfig> {
  const file = findConfigFile(options);
  if (!file) return parseConfig(undefined, EMBEDDED_DEFAULT, options.env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
    throw new ConfigError(file, [`${reason}`]);
  }
  const config = parseConfig(text, file, options.env);
  const persisted = config.server.persistedOperations;
  if (persisted) {
    const manifestPath = resolve(dirname(file), persisted.manifest);
    let operations: unknown;
    try {
      operations = JSON.parse(await readFile(manifestPath, 'utf8'));
    } catch (error: unknown) {
      throw new ConfigError(file, [`server.persistedOperations.manifest: cannot read ${manifestPath} as JSON (${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'})`]);
    }
    if (!operations || typeof operations !== 'object' || Object.values(operations).some((value) => typeof value !== 'string')) {
      throw new ConfigError(file, ['server.persistedOperations.manifest: expected a JSON object of operation id → document text']);
    }
    config.persistedOperations = { operations: operations as Record<string, string>, allowArbitraryOperations: persisted.allowArbitraryOperations };
  }
  return config;
}
