/**
 * `busway webhooks create|list|describe|delete` and `busway ingest create|list|describe|delete`: thin
 * wrappers over the running server's Busway.* operations (see docs/inbound.md), through the signed
 * server client (`--endpoint-url`, BUSWAY_ENDPOINT). Flags cover the common settings; `--definition
 * JSON` passes any other member of the operation as is (it is merged under the flags).
 */
import { createServerClient, serverClientOptions, ServerCallError } from './server-client.js';

export const INBOUND_USAGE = `  webhooks create [--id ID] [--bus BUS] [--method M]... [--source S | --source-expression E]
                  [--detail-type T | --detail-type-expression E] [--detail EXPR]
                  [--correlation-key EXPR] [--condition-pattern JSON | --condition-expression EXPR]
                  [--auth none|basic|api-key|jwt|standard-webhooks|hmac] [--username U --password P]
                  [--api-key KEY]... [--locator EXPR] [--secret SECRET]...
                  [--jwks-url URL --issuer ISS --audience AUD... --role-expression EXPR --required-role R...]
                  [--definition JSON]
                             create a webhook on the running server; prints its URL
  webhooks update <ID> [the flags of create]
                             change the flags' members of a webhook, keeping the others
  webhooks list | describe <ID> | delete <ID>
  ingest create <NAME> --jwks-url URL [--issuer ISS] [--audience AUD]... [--bus BUS] [--source S]
                  [--detail-type T] [--claim CLAIM=FIELD]... [--constant FIELD=VALUE]... [--schema JSON]
                  [--definition JSON]
                             create a client-event ingestion endpoint; prints its URL
  ingest list | describe <NAME> | delete <NAME>
  (these call the server at --endpoint-url URL, BUSWAY_ENDPOINT, default http://127.0.0.1:4010)
`;

/** Flags with values; repeated flags keep every value. Positional arguments in `positional`. */
function parseFlags(args: readonly string[]): { flags: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positional };
}

class UsageError extends Error {}

function json(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--${flag} must be JSON`);
  }
}

const AUTH_TYPES: Record<string, string> = {
  none: 'NONE',
  basic: 'BASIC',
  'api-key': 'API_KEY',
  jwt: 'JWT',
  'standard-webhooks': 'STANDARD_WEBHOOKS',
  hmac: 'HMAC',
};

function jwtMembers(one: (name: string) => string | undefined, all: (name: string) => string[] | undefined) {
  return defined({
    JwksUrl: one('jwks-url'),
    Issuer: one('issuer'),
    Audience: all('audience'),
    RoleExpression: one('role-expression'),
    RequiredRoles: all('required-role'),
  });
}

function defined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

function webhookInput(flags: Map<string, string[]>, update = false): Record<string, unknown> {
  const one = (name: string) => flags.get(name)?.at(-1);
  const all = (name: string) => flags.get(name);
  const definition = one('definition');
  const base = definition === undefined ? {} : (json(definition, 'definition') as Record<string, unknown>);
  // A new webhook without --auth is open; an update without it keeps the webhook's authentication.
  const auth = one('auth') ?? (base['Authentication'] === undefined && !update ? 'none' : undefined);
  let authentication: Record<string, unknown> | undefined;
  if (auth !== undefined) {
    const type = AUTH_TYPES[auth];
    if (type === undefined)
      throw new UsageError(`--auth must be one of ${Object.keys(AUTH_TYPES).join(', ')}`);
    authentication = defined({
      Type: type,
      Username: one('username'),
      Password: one('password'),
      Keys: type === 'API_KEY' ? all('api-key') : undefined,
      Locator: one('locator'),
      Secrets: all('secret'),
      ...(type === 'JWT' ? jwtMembers(one, all) : {}),
    });
  }
  const pattern = one('condition-pattern');
  const expression = one('condition-expression');
  const correlation = one('correlation-key');
  return {
    ...base,
    ...defined({
      Id: one('id'),
      EventBusName: one('bus'),
      Methods: all('method')?.map((method) => method.toUpperCase()),
      Source: one('source'),
      SourceExpression: one('source-expression'),
      DetailType: one('detail-type'),
      DetailTypeExpression: one('detail-type-expression'),
      Detail: one('detail'),
      CorrelationKey: correlation === undefined ? undefined : { Expression: correlation },
      ActivationCondition:
        pattern !== undefined
          ? { EventPattern: pattern }
          : expression !== undefined
            ? { Expression: expression }
            : undefined,
      Authentication: authentication,
    }),
  };
}

function pairs(values: readonly string[] | undefined, flag: string, parse: (value: string) => unknown) {
  if (values === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} takes NAME=VALUE`);
    out[value.slice(0, eq)] = parse(value.slice(eq + 1));
  }
  return out;
}

function ingestInput(name: string, flags: Map<string, string[]>): Record<string, unknown> {
  const one = (flag: string) => flags.get(flag)?.at(-1);
  const all = (flag: string) => flags.get(flag);
  const definition = one('definition');
  const base = definition === undefined ? {} : (json(definition, 'definition') as Record<string, unknown>);
  const jwt = jwtMembers(one, all);
  const schema = one('schema');
  return {
    ...base,
    ...defined({
      Name: name,
      EventBusName: one('bus'),
      Source: one('source'),
      DetailType: one('detail-type'),
      Authentication: Object.keys(jwt).length === 0 ? undefined : { Type: 'JWT', ...jwt },
      Claims: pairs(all('claim'), 'claim', (value) => value),
      // A constant's value is JSON when it parses as JSON (numbers, booleans), else the text.
      Constants: pairs(all('constant'), 'constant', (value) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          return value;
        }
      }),
      EntrySchema: schema === undefined ? undefined : json(schema, 'schema'),
    }),
  };
}

/** `busway webhooks ...` and `busway ingest ...`; returns the exit code. */
export async function inboundCommand(kind: 'webhooks' | 'ingest', args: readonly string[]): Promise<number> {
  try {
    const { flags, positional } = parseFlags(args);
    const endpointFlag = flags.get('endpoint-url')?.at(-1);
    flags.delete('endpoint-url');
    const client = createServerClient(serverClientOptions(process.env, endpointFlag));
    const [action, target] = positional;
    const noun = kind === 'webhooks' ? 'Webhook' : 'IngestEndpoint';
    const key = kind === 'webhooks' ? 'Id' : 'Name';
    const urlOf = (path: unknown) => `${client.endpoint}${String(path)}`;
    switch (action) {
      case 'create': {
        if (kind === 'ingest' && target === undefined) throw new UsageError('ingest create needs a NAME');
        const input = kind === 'webhooks' ? webhookInput(flags) : ingestInput(target ?? '', flags);
        const created = await client.call(`Create${noun}`, input);
        process.stdout.write(
          `${kind === 'webhooks' ? 'Webhook' : 'Ingestion endpoint'}: ${String(created[key])}\n`,
        );
        process.stdout.write(`URL:     ${urlOf(created['Path'])}\n`);
        const auth = created['Authentication'] as { Type?: string } | undefined;
        if (auth?.Type !== undefined) process.stdout.write(`Auth:    ${auth.Type}\n`);
        if (typeof created['GeneratedSecret'] === 'string') {
          process.stdout.write(`Secret:  ${created['GeneratedSecret']}\n(the secret is shown only now)\n`);
        }
        return 0;
      }
      case 'update': {
        if (kind !== 'webhooks' || target === undefined) throw new UsageError('webhooks update needs an ID');
        const updated = await client.call('UpdateWebhook', { ...webhookInput(flags, true), Id: target });
        process.stdout.write(`Webhook: ${String(updated['Id'])}\nURL:     ${urlOf(updated['Path'])}\n`);
        if (typeof updated['GeneratedSecret'] === 'string') {
          process.stdout.write(`Secret:  ${updated['GeneratedSecret']}\n(the secret is shown only now)\n`);
        }
        return 0;
      }
      case 'list': {
        let nextToken: string | undefined;
        do {
          const page = await client.call(
            `List${noun}s`,
            nextToken === undefined ? {} : { NextToken: nextToken },
          );
          const items = (page[kind === 'webhooks' ? 'Webhooks' : 'IngestEndpoints'] ?? []) as Array<
            Record<string, unknown>
          >;
          for (const item of items) {
            const auth = (item['Authentication'] as { Type?: string } | undefined)?.Type ?? '';
            process.stdout.write(
              `${String(item[key])}\t${String(item['EventBusName'])}\t${auth}\t${urlOf(item['Path'])}\n`,
            );
          }
          nextToken = typeof page['NextToken'] === 'string' ? page['NextToken'] : undefined;
        } while (nextToken !== undefined);
        return 0;
      }
      case 'describe': {
        if (target === undefined) throw new UsageError(`${kind} describe needs an ${key.toLowerCase()}`);
        const described = await client.call(`Describe${noun}`, { [key]: target });
        process.stdout.write(`${JSON.stringify({ ...described, Url: urlOf(described['Path']) }, null, 2)}\n`);
        return 0;
      }
      case 'delete': {
        if (target === undefined) throw new UsageError(`${kind} delete needs an ${key.toLowerCase()}`);
        await client.call(`Delete${noun}`, { [key]: target });
        process.stdout.write(`deleted ${target}\n`);
        return 0;
      }
      default:
        throw new UsageError(
          `${kind} needs create, ${kind === 'webhooks' ? 'update, ' : ''}list, describe or delete`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`busway: ${error.message}\n\nUsage:\n${INBOUND_USAGE}`);
      return 1;
    }
    if (error instanceof ServerCallError) {
      process.stderr.write(`busway: ${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      process.stderr.write(
        `busway: cannot reach the server (${error.message}); is it running? see --endpoint-url\n`,
      );
      return 1;
    }
    throw error;
  }
}
