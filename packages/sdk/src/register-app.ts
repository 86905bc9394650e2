/**
 * Registering an app as an API destination, idempotently: the connection (API key by default), the API
 * destination to the app's receive URL, and one rule per handled detail-type with the destination as
 * its target. Every call converges on the same resources (create when missing, update otherwise; rules
 * and targets are upserts), and rules it made earlier for detail-types no longer handled are removed,
 * so restarting an app re-applies its registration without duplicates. Works against Busway and AWS
 * (on AWS, pass `roleArn`: API destination targets need a role there).
 */
import { createHash } from 'node:crypto';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteRuleCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type CreateConnectionAuthRequestParameters,
  type EventBridgeClient,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { describeValue, InvalidArgumentError } from './errors.js';
import { callFailure } from './publish.js';

/** The API key header Busway sends when none is named. */
export const DEFAULT_API_KEY_HEADER = 'x-api-key';

/** How Busway authenticates to the app: an API key header (the default), Basic, or OAuth client credentials. */
export type AppConnectionAuth =
  | { type?: 'API_KEY'; name?: string; value: string }
  | { type: 'BASIC'; username: string; password: string }
  | {
      type: 'OAUTH_CLIENT_CREDENTIALS';
      authorizationEndpoint: string;
      clientId: string;
      clientSecret: string;
      httpMethod?: 'GET' | 'POST' | 'PUT';
      /** Extra body parameters of the token request (`scope`, ...). */
      bodyParameters?: Record<string, string>;
    };

export interface AppRegistration {
  /** The app's name: names its connection, API destination, rules (`NAME.detail-type`) and target id. */
  name: string;
  /** The URL Busway calls with each event (the app's receive endpoint). */
  endpoint: string;
  /** The detail-types the app handles (a router's `detailTypes`): one rule each. */
  detailTypes: readonly string[];
  auth: AppConnectionAuth;
  /** The bus the rules are on (default `default`). */
  eventBusName?: string;
  /** Only events from these sources. */
  sources?: readonly string[];
  httpMethod?: 'POST' | 'PUT' | 'PATCH';
  invocationRateLimitPerSecond?: number;
  /** The role EventBridge assumes to call the destination (required on AWS, ignored by Busway). */
  roleArn?: string;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
  /** A queue ARN for events that cannot be delivered. */
  deadLetterArn?: string;
}

export interface AppRegistrationResult {
  connectionArn: string;
  apiDestinationArn: string;
  rules: Array<{ name: string; arn: string; detailType: string }>;
  /** Rules of earlier registrations for detail-types no longer handled, removed now. */
  removedRules: string[];
}

const NAME = /^[.\-_A-Za-z0-9]{1,40}$/;
const RULE_NAME = /^[.\-_A-Za-z0-9]+$/;
/** Marks the rules this function manages, so stale ones are told apart from the user's own rules. */
const MANAGED_MARK = 'Managed by @busway/sdk registerApp';

export async function registerApp(
  client: EventBridgeClient,
  app: AppRegistration,
): Promise<AppRegistrationResult> {
  const checked = checkRegistration(app);
  try {
    const connectionArn = await applyConnection(client, checked);
    const apiDestinationArn = await applyApiDestination(client, checked, connectionArn);
    const busName = checked.eventBusName ?? 'default';
    const rules: AppRegistrationResult['rules'] = [];
    for (const detailType of checked.detailTypes) {
      const name = ruleNameFor(checked.name, detailType);
      const pattern: Record<string, unknown> = { 'detail-type': [detailType] };
      if (checked.sources !== undefined) pattern['source'] = [...checked.sources];
      const rule = await client.send(
        new PutRuleCommand({
          Name: name,
          EventBusName: busName,
          EventPattern: JSON.stringify(pattern),
          State: 'ENABLED',
          Description: `${MANAGED_MARK}(${checked.name}) for ${detailType}`.slice(0, 512),
        }),
      );
      const target: Target = { Id: checked.name, Arn: apiDestinationArn };
      if (checked.roleArn !== undefined) target.RoleArn = checked.roleArn;
      if (checked.retryPolicy !== undefined) {
        target.RetryPolicy = {
          ...(checked.retryPolicy.maximumRetryAttempts !== undefined && {
            MaximumRetryAttempts: checked.retryPolicy.maximumRetryAttempts,
          }),
          ...(checked.retryPolicy.maximumEventAgeInSeconds !== undefined && {
            MaximumEventAgeInSeconds: checked.retryPolicy.maximumEventAgeInSeconds,
          }),
        };
      }
      if (checked.deadLetterArn !== undefined) target.DeadLetterConfig = { Arn: checked.deadLetterArn };
      const put = await client.send(
        new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [target] }),
      );
      if ((put.FailedEntryCount ?? 0) > 0) {
        const failed = put.FailedEntries?.[0];
        throw new InvalidArgumentError(
          `The target of rule ${name} was refused: ${failed?.ErrorCode ?? ''}: ${failed?.ErrorMessage ?? ''}`,
        );
      }
      rules.push({ name, arn: rule.RuleArn ?? '', detailType });
    }
    const removedRules = await removeStaleRules(
      client,
      checked.name,
      busName,
      new Set(rules.map((r) => r.name)),
    );
    return { connectionArn, apiDestinationArn, rules, removedRules };
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw callFailure(error);
  }
}

/** The rule for a detail-type: `NAME.Detail-Type`, with a hash when the type needs changing to fit. */
export function ruleNameFor(appName: string, detailType: string): string {
  const base = `${appName}.${detailType}`;
  if (base.length <= 64 && RULE_NAME.test(base)) return base;
  const hash = createHash('sha256').update(detailType).digest('hex').slice(0, 8);
  const slug = detailType.replace(/[^.\-_A-Za-z0-9]+/g, '-');
  return `${`${appName}.${slug}`.slice(0, 55)}.${hash}`;
}

async function applyConnection(client: EventBridgeClient, app: AppRegistration): Promise<string> {
  const { type, parameters } = connectionAuth(app.auth);
  const existing = await describeOrUndefined(() =>
    client.send(new DescribeConnectionCommand({ Name: app.name })),
  );
  if (existing === undefined) {
    const created = await client.send(
      new CreateConnectionCommand({ Name: app.name, AuthorizationType: type, AuthParameters: parameters }),
    );
    return created.ConnectionArn ?? '';
  }
  const updated = await client.send(
    new UpdateConnectionCommand({ Name: app.name, AuthorizationType: type, AuthParameters: parameters }),
  );
  return updated.ConnectionArn ?? existing.ConnectionArn ?? '';
}

async function applyApiDestination(
  client: EventBridgeClient,
  app: AppRegistration,
  connectionArn: string,
): Promise<string> {
  const fields = {
    Name: app.name,
    ConnectionArn: connectionArn,
    InvocationEndpoint: app.endpoint,
    HttpMethod: app.httpMethod ?? 'POST',
    ...(app.invocationRateLimitPerSecond !== undefined && {
      InvocationRateLimitPerSecond: app.invocationRateLimitPerSecond,
    }),
  };
  const existing = await describeOrUndefined(() =>
    client.send(new DescribeApiDestinationCommand({ Name: app.name })),
  );
  if (existing === undefined) {
    return (await client.send(new CreateApiDestinationCommand(fields))).ApiDestinationArn ?? '';
  }
  return (
    (await client.send(new UpdateApiDestinationCommand(fields))).ApiDestinationArn ??
    existing.ApiDestinationArn ??
    ''
  );
}

async function removeStaleRules(
  client: EventBridgeClient,
  appName: string,
  busName: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListRulesCommand({
        EventBusName: busName,
        NamePrefix: `${appName}.`,
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
    );
    for (const rule of page.Rules ?? []) {
      if (rule.Name === undefined || keep.has(rule.Name)) continue;
      if (!(rule.Description ?? '').startsWith(`${MANAGED_MARK}(${appName})`)) continue;
      const targets = await client.send(
        new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName }),
      );
      const ids = (targets.Targets ?? []).flatMap((t) => (t.Id === undefined ? [] : [t.Id]));
      if (ids.length > 0)
        await client.send(new RemoveTargetsCommand({ Rule: rule.Name, EventBusName: busName, Ids: ids }));
      await client.send(new DeleteRuleCommand({ Name: rule.Name, EventBusName: busName }));
      removed.push(rule.Name);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return removed;
}

function connectionAuth(auth: AppConnectionAuth): {
  type: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
  parameters: CreateConnectionAuthRequestParameters;
} {
  if (auth.type === 'BASIC') {
    return {
      type: 'BASIC',
      parameters: { BasicAuthParameters: { Username: auth.username, Password: auth.password } },
    };
  }
  if (auth.type === 'OAUTH_CLIENT_CREDENTIALS') {
    return {
      type: 'OAUTH_CLIENT_CREDENTIALS',
      parameters: {
        OAuthParameters: {
          AuthorizationEndpoint: auth.authorizationEndpoint,
          HttpMethod: auth.httpMethod ?? 'POST',
          ClientParameters: { ClientID: auth.clientId, ClientSecret: auth.clientSecret },
          ...(auth.bodyParameters !== undefined && {
            OAuthHttpParameters: {
              BodyParameters: Object.entries(auth.bodyParameters).map(([Key, Value]) => ({
                Key,
                Value,
                IsValueSecret: false,
              })),
            },
          }),
        },
      },
    };
  }
  return {
    type: 'API_KEY',
    parameters: {
      ApiKeyAuthParameters: { ApiKeyName: auth.name ?? DEFAULT_API_KEY_HEADER, ApiKeyValue: auth.value },
    },
  };
}

async function describeOrUndefined<T>(describe: () => Promise<T>): Promise<T | undefined> {
  try {
    return await describe();
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function checkRegistration(app: AppRegistration): AppRegistration {
  if (app === null || typeof app !== 'object') {
    throw new InvalidArgumentError('registerApp needs { name, endpoint, detailTypes, auth }.');
  }
  if (typeof app.name !== 'string' || !NAME.test(app.name)) {
    throw new InvalidArgumentError(
      `name must be 1 to 40 letters, digits, '.', '-' or '_' (it prefixes the rule names), got ${describeValue(app.name)}.`,
    );
  }
  let url: URL | undefined;
  try {
    url = typeof app.endpoint === 'string' ? new URL(app.endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidArgumentError(
      `endpoint must be the app's receive URL (http:// or https://; AWS accepts only https://), got ${describeValue(app.endpoint)}.`,
    );
  }
  if (!Array.isArray(app.detailTypes) || app.detailTypes.length === 0) {
    throw new InvalidArgumentError(
      'detailTypes must list at least one detail-type the app handles (pass router.detailTypes after registering handlers).',
    );
  }
  for (const [index, detailType] of app.detailTypes.entries()) {
    if (typeof detailType !== 'string' || detailType === '' || detailType.length > 128) {
      throw new InvalidArgumentError(
        `detailTypes[${index}] must be a non-empty string of at most 128 characters, got ${describeValue(detailType)}.`,
      );
    }
  }
  if (new Set(app.detailTypes).size !== app.detailTypes.length) {
    throw new InvalidArgumentError('detailTypes lists a detail-type twice; list each once.');
  }
  checkAuth(app.auth);
  if (
    app.sources !== undefined &&
    (!Array.isArray(app.sources) ||
      app.sources.length === 0 ||
      app.sources.some((s) => typeof s !== 'string' || s === ''))
  ) {
    throw new InvalidArgumentError('sources must be a non-empty list of source names when given.');
  }
  return app;
}

function checkAuth(auth: AppConnectionAuth | undefined): void {
  if (auth === null || typeof auth !== 'object') {
    throw new InvalidArgumentError(
      "auth must say how Busway authenticates to the app, e.g. { value: 'the API key' } (API key, header x-api-key), { type: 'BASIC', username, password } or { type: 'OAUTH_CLIENT_CREDENTIALS', ... }.",
    );
  }
  const text = (value: unknown, at: string): void => {
    if (typeof value !== 'string' || value === '') {
      throw new InvalidArgumentError(`${at} must be a non-empty string, got ${describeValue(value)}.`);
    }
  };
  switch (auth.type) {
    case undefined:
    case 'API_KEY':
      text(auth.value, 'auth.value (the API key)');
      if (auth.name !== undefined) text(auth.name, 'auth.name (the header name)');
      return;
    case 'BASIC':
      text(auth.username, 'auth.username');
      text(auth.password, 'auth.password');
      return;
    case 'OAUTH_CLIENT_CREDENTIALS':
      text(auth.authorizationEndpoint, 'auth.authorizationEndpoint');
      text(auth.clientId, 'auth.clientId');
      text(auth.clientSecret, 'auth.clientSecret');
      return;
    default:
      throw new InvalidArgumentError(
        `auth.type must be API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS, got ${describeValue((auth as { type: unknown }).type)}.`,
      );
  }
}
