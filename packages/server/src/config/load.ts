/**
 * Resolves the server configuration once: defaults < `BUSWAY_*` environment < flags < explicit
 * overrides (tests), coerced to their types, validated together against the schema (every problem
 * reported at once), and frozen. The only module that reads the environment.
 */
import { Ajv } from 'ajv';
import { BuswayError } from '../errors.js';
import { CONFIG_OPTIONS, type ConfigOption, type ResolvedConfig } from './schema.js';

export class ConfigError extends BuswayError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('CONFIG', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface ConfigSources {
  /** Command-line arguments after the command (e.g. `['--port', '0']`). */
  argv?: readonly string[];
  /** Defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over everything (tests). */
  overrides?: Partial<ResolvedConfig>;
}

export function loadConfig(sources: ConfigSources = {}): ResolvedConfig {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const option of CONFIG_OPTIONS) {
    if (option.default !== undefined) raw[option.key] = option.default;
    const fromEnv = env[option.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      const value = coerce(option, fromEnv, `${option.env}`, problems);
      if (value !== undefined) raw[option.key] = value;
    }
  }
  for (const [option, text] of parseFlags(sources.argv ?? [], problems)) {
    const value = coerce(option, text, option.flag, problems);
    if (value !== undefined) raw[option.key] = value;
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {})) {
    if (value !== undefined) raw[key] = value;
  }
  if (!validate(raw)) {
    for (const error of validate.errors ?? []) {
      const key = error.instancePath.slice(1);
      const option = CONFIG_OPTIONS.find((o) => o.key === key);
      problems.push(
        `${option ? `${option.flag} (${option.env})` : key || 'config'} ${error.message ?? 'is invalid'}`,
      );
    }
  }
  if ((raw['accessKeyId'] === undefined) !== (raw['secretAccessKey'] === undefined)) {
    problems.push('BUSWAY_ACCESS_KEY_ID and BUSWAY_SECRET_ACCESS_KEY must be given together');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(raw) as unknown as ResolvedConfig;
}

function parseFlags(argv: readonly string[], problems: string[]): Array<[ConfigOption, string]> {
  const out: Array<[ConfigOption, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const option = CONFIG_OPTIONS.find((o) => o.flag === name);
    if (option === undefined) {
      problems.push(`unknown option ${name}`);
      continue;
    }
    if (eq > 0) out.push([option, arg.slice(eq + 1)]);
    else if (option.type === 'boolean') out.push([option, 'true']);
    else if (i + 1 < argv.length) out.push([option, argv[++i]!]);
    else problems.push(`${name} needs a value`);
  }
  return out;
}

function coerce(option: ConfigOption, text: string, source: string, problems: string[]): unknown {
  switch (option.type) {
    case 'string':
      return text;
    case 'integer': {
      if (!/^-?\d+$/.test(text.trim())) {
        problems.push(`${source} must be an integer, got '${text}'`);
        return undefined;
      }
      return Number(text);
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      problems.push(`${source} must be true or false, got '${text}'`);
      return undefined;
    }
  }
}

const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    CONFIG_OPTIONS.map((o) => [
      o.key,
      {
        type: o.type,
        ...(o.enum ? { enum: o.enum } : {}),
        ...(o.minimum !== undefined ? { minimum: o.minimum } : {}),
        ...(o.maximum !== undefined ? { maximum: o.maximum } : {}),
        ...(o.pattern ? { pattern: o.pattern } : {}),
      },
    ]),
  ),
});
