/**
 * Busway's inbound endpoint operations on the AWS JSON protocol (`X-Amz-Target: Busway.<Operation>`,
 * signed for the service `busway`): CreateWebhook, UpdateWebhook, DescribeWebhook, ListWebhooks, DeleteWebhook and
 * CreateIngestEndpoint, DescribeIngestEndpoint, ListIngestEndpoints, DeleteIngestEndpoint. Members are
 * PascalCase like AWS's; JSON types are checked here (SerializationException), the rules of a
 * definition by the inbound domain (ValidationException). Secrets are accepted, never returned:
 * Describe and List show `SecretCount` instead. Full reference: docs/inbound.md.
 */
import type {
  InboundService,
  IngestEndpointView,
  PublicAuthentication,
  WebhookView,
} from '../../inbound/inbound-service.js';
import type { AuthenticationInput } from '../../inbound/auth/compile-auth.js';
import type { IngestEndpointInput } from '../../inbound/ingest/ingest-endpoint.js';
import type { ValueSource } from '../../inbound/types.js';
import type { WebhookInput } from '../../inbound/webhooks/webhook.js';
import { ValidationError } from '../../errors.js';
import type { OperationContext, OperationHandler } from '../aws-json/protocol.js';
import { lowerCamel, typeError, WireValidator } from '../validation.js';

const NAME = { min: 1, max: 100, pattern: '[A-Za-z0-9_-]+' };
const DESCRIPTION = { max: 512 };
const EXPRESSION = { min: 1, max: 4096 };
const BUS_NAME = { min: 1, max: 256, pattern: '[/\\.\\-_A-Za-z0-9]+' };
const AUTH_TYPES = ['NONE', 'BASIC', 'API_KEY', 'JWT', 'STANDARD_WEBHOOKS', 'HMAC'];

type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops undefined members (with exactOptionalPropertyTypes an optional member must be absent). */
function defined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Defined<T>;
}

/** A JSON Schema member: an object, or its JSON text (as the AWS CLI's shorthand makes easy). */
function schemaMember(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ValidationError(`${path} must be a JSON Schema (an object or its JSON text).`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw typeError(path, 'an object', value);
  return parsed as Record<string, unknown>;
}

/** `{Type: 'API_KEY', Locator: ...}` -> `{type: 'api-key', locator: ...}`; values are kept as given. */
function authenticationIn(v: WireValidator, value: unknown): AuthenticationInput | undefined {
  const auth = v.object(value, 'authentication');
  if (auth === undefined) return undefined;
  const type = v.string(auth['Type'], 'authentication.type', { enum: AUTH_TYPES, required: true });
  const out: AuthenticationInput = { type: (type ?? '').toLowerCase().replaceAll('_', '-') };
  for (const [key, item] of Object.entries(auth)) {
    if (key === 'Type' || item === null) continue;
    out[lowerCamel(key)] =
      key === 'Format' && typeof item === 'string' ? item.toLowerCase().replaceAll('_', '-') : item;
  }
  return out;
}

function authenticationOut(auth: PublicAuthentication): Record<string, unknown> {
  const out: Record<string, unknown> = { Type: auth.type.toUpperCase().replaceAll('-', '_') };
  for (const [key, item] of Object.entries(auth)) {
    if (key === 'type') continue;
    const wireKey = key.charAt(0).toUpperCase() + key.slice(1);
    out[wireKey] =
      key === 'format' && typeof item === 'string' ? item.toUpperCase().replaceAll('-', '_') : item;
  }
  return out;
}

function valueOut(source: ValueSource, name: string): Record<string, unknown> {
  return 'value' in source ? { [name]: source.value } : { [`${name}Expression`]: source.expression };
}

function rateLimitIn(
  v: WireValidator,
  value: unknown,
): { requestsPerSecond: number; burst?: number } | undefined {
  const limit = v.object(value, 'rateLimit');
  if (limit === undefined) return undefined;
  const rps = limit['RequestsPerSecond'];
  if (typeof rps !== 'number') throw typeError('rateLimit.requestsPerSecond', 'a number', rps);
  const burst = v.integer(limit['Burst'], 'rateLimit.burst', { min: 1 });
  return defined({ requestsPerSecond: rps, burst });
}

function statsOut(stats: WebhookView['stats']) {
  return {
    Received: stats.received,
    Published: stats.published,
    NotActivated: stats.notActivated,
    Duplicates: stats.duplicates,
    Rejected: stats.rejected,
  };
}

const seconds = (ms: number) => ms / 1000;

function webhookOut(view: WebhookView): Record<string, unknown> {
  const d = view.definition;
  return defined({
    Id: d.id,
    Path: `/webhooks/${d.id}`,
    Description: d.description,
    Methods: d.methods,
    EventBusName: d.busName,
    ...valueOut(d.source, 'Source'),
    ...valueOut(d.detailType, 'DetailType'),
    Detail: d.detail,
    CorrelationKey:
      d.correlationKey === undefined
        ? undefined
        : { Expression: d.correlationKey.expression, Field: d.correlationKey.field },
    ActivationCondition:
      d.activation === undefined
        ? undefined
        : 'pattern' in d.activation
          ? { EventPattern: d.activation.pattern }
          : { Expression: d.activation.expression },
    BodySchema: d.bodySchema,
    Response: defined({ StatusCode: d.response.statusCode, Body: d.response.body }),
    RateLimit:
      d.rateLimit === undefined
        ? undefined
        : { RequestsPerSecond: d.rateLimit.requestsPerSecond, Burst: d.rateLimit.burst },
    MaxBodyBytes: d.maxBodyBytes,
    Authentication: authenticationOut(d.authentication),
    CreationTime: seconds(view.createdAt),
    LastModifiedTime: seconds(view.updatedAt),
    Stats: statsOut(view.stats),
  });
}

function ingestOut(view: IngestEndpointView): Record<string, unknown> {
  const d = view.definition;
  return defined({
    Name: d.name,
    Path: `/ingest/${d.name}`,
    Description: d.description,
    EventBusName: d.busName,
    Source: d.source,
    ...valueOut(d.detailType, 'DetailType'),
    Authentication: authenticationOut(d.authentication),
    Claims: d.claims,
    Constants: d.constants,
    EntrySchema: d.entrySchema,
    RateLimit:
      d.rateLimit === undefined
        ? undefined
        : { RequestsPerSecond: d.rateLimit.requestsPerSecond, Burst: d.rateLimit.burst },
    MaxBodyBytes: d.maxBodyBytes,
    CreationTime: seconds(view.createdAt),
    LastModifiedTime: seconds(view.updatedAt),
    Stats: statsOut(view.stats),
  });
}

function readPage(v: WireValidator, input: Record<string, unknown>): { nextToken?: string; limit?: number } {
  const nextToken = v.string(input['NextToken'], 'nextToken', { min: 1, max: 2048 });
  const limit = v.integer(input['Limit'], 'limit', { min: 1, max: 100 });
  return defined({ nextToken, limit });
}

function urlOf(context: OperationContext, path: string): string | undefined {
  return context.host === undefined ? undefined : `http://${context.host}${path}`;
}

/** The members of CreateWebhook/UpdateWebhook, as the domain's input (absent members left out). */
function readWebhookInput(
  input: Record<string, unknown>,
  idRequired: boolean,
): Omit<WebhookInput, 'id'> & { id?: string } {
  const v = new WireValidator();
  const id = v.string(input['Id'], 'id', { ...NAME, required: idRequired });
  const description = v.string(input['Description'], 'description', DESCRIPTION);
  const methods = v.stringList(input['Methods'], 'methods', { min: 1, max: 8 });
  const busName = v.string(input['EventBusName'], 'eventBusName', BUS_NAME);
  const source = v.string(input['Source'], 'source', { min: 1, max: 256 });
  const sourceExpression = v.string(input['SourceExpression'], 'sourceExpression', EXPRESSION);
  const detailType = v.string(input['DetailType'], 'detailType', { min: 1, max: 128 });
  const detailTypeExpression = v.string(input['DetailTypeExpression'], 'detailTypeExpression', EXPRESSION);
  const detail = v.string(input['Detail'], 'detail', EXPRESSION);
  const correlation = v.object(input['CorrelationKey'], 'correlationKey');
  const correlationExpression =
    correlation === undefined
      ? undefined
      : v.string(correlation['Expression'], 'correlationKey.expression', {
          ...EXPRESSION,
          required: true,
        });
  const correlationField =
    correlation === undefined
      ? undefined
      : v.string(correlation['Field'], 'correlationKey.field', { min: 1, max: 128 });
  const activation = v.object(input['ActivationCondition'], 'activationCondition');
  const activationPattern =
    activation === undefined
      ? undefined
      : v.string(activation['EventPattern'], 'activationCondition.eventPattern', { min: 1, max: 4096 });
  const activationExpression =
    activation === undefined
      ? undefined
      : v.string(activation['Expression'], 'activationCondition.expression', EXPRESSION);
  const response = v.object(input['Response'], 'response');
  const statusCode =
    response === undefined ? undefined : v.integer(response['StatusCode'], 'response.statusCode');
  const responseBody =
    response === undefined ? undefined : v.string(response['Body'], 'response.body', EXPRESSION);
  const maxBodyBytes = v.integer(input['MaxBodyBytes'], 'maxBodyBytes', { min: 1 });
  const rateLimit = rateLimitIn(v, input['RateLimit']);
  const authentication = authenticationIn(v, input['Authentication']);
  const bodySchema = schemaMember(input['BodySchema'], 'bodySchema');
  v.throwIfInvalid();
  return defined({
    id,
    description,
    methods,
    busName,
    source,
    sourceExpression,
    detailType,
    detailTypeExpression,
    detail,
    correlationKey:
      correlationExpression === undefined
        ? undefined
        : defined({ expression: correlationExpression, field: correlationField }),
    activation:
      activation === undefined
        ? undefined
        : defined({ pattern: activationPattern, expression: activationExpression }),
    bodySchema,
    response: response === undefined ? undefined : defined({ statusCode, body: responseBody }),
    rateLimit,
    maxBodyBytes,
    authentication,
  }) as Omit<WebhookInput, 'id'> & { id?: string };
}

export function createInboundOperations(inbound: InboundService): Map<string, OperationHandler> {
  const operations: Record<string, OperationHandler> = {
    async CreateWebhook(input, context) {
      const { webhook, generatedSecret } = await inbound.createWebhook(readWebhookInput(input, false));
      const out = webhookOut(webhook);
      return defined({ ...out, Url: urlOf(context, String(out['Path'])), GeneratedSecret: generatedSecret });
    },

    async UpdateWebhook(input, context) {
      const { id, ...changes } = readWebhookInput(input, true);
      const { webhook, generatedSecret } = await inbound.updateWebhook(id ?? '', changes);
      const out = webhookOut(webhook);
      return defined({ ...out, Url: urlOf(context, String(out['Path'])), GeneratedSecret: generatedSecret });
    },

    async DescribeWebhook(input) {
      const v = new WireValidator();
      const id = v.string(input['Id'], 'id', { ...NAME, required: true });
      v.throwIfInvalid();
      return webhookOut(await inbound.describeWebhook(id ?? ''));
    },

    async ListWebhooks(input) {
      const v = new WireValidator();
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await inbound.listWebhooks(page);
      return defined({ Webhooks: result.items.map(webhookOut), NextToken: result.nextToken });
    },

    async DeleteWebhook(input) {
      const v = new WireValidator();
      const id = v.string(input['Id'], 'id', { ...NAME, required: true });
      v.throwIfInvalid();
      await inbound.deleteWebhook(id ?? '');
    },

    async CreateIngestEndpoint(input, context) {
      const v = new WireValidator();
      const name = v.string(input['Name'], 'name', { ...NAME, required: true });
      const description = v.string(input['Description'], 'description', DESCRIPTION);
      const busName = v.string(input['EventBusName'], 'eventBusName', BUS_NAME);
      const source = v.string(input['Source'], 'source', { min: 1, max: 256 });
      const detailType = v.string(input['DetailType'], 'detailType', { min: 1, max: 128 });
      const detailTypeExpression = v.string(
        input['DetailTypeExpression'],
        'detailTypeExpression',
        EXPRESSION,
      );
      const claims = v.stringMap(input['Claims'], 'claims', {
        max: 50,
        key: { min: 1, max: 256 },
        value: { min: 1, max: 128 },
      });
      const constants = v.object(input['Constants'], 'constants');
      const maxBodyBytes = v.integer(input['MaxBodyBytes'], 'maxBodyBytes', { min: 1 });
      const rateLimit = rateLimitIn(v, input['RateLimit']);
      const authentication = authenticationIn(v, {
        Type: 'JWT',
        ...(v.object(input['Authentication'], 'authentication', { required: true }) ?? {}),
      });
      const entrySchema = schemaMember(input['EntrySchema'], 'entrySchema');
      v.throwIfInvalid();
      if (authentication !== undefined && authentication.type !== 'jwt') {
        throw new ValidationError(
          'Ingestion endpoints authenticate with a JWT: Authentication.Type must be JWT.',
        );
      }
      const ingestInput = defined({
        name: name ?? '',
        description,
        busName,
        source,
        detailType,
        detailTypeExpression,
        authentication,
        claims,
        constants,
        entrySchema,
        rateLimit,
        maxBodyBytes,
      }) as IngestEndpointInput;
      const out = ingestOut(await inbound.createIngestEndpoint(ingestInput));
      return defined({ ...out, Url: urlOf(context, String(out['Path'])) });
    },

    async DescribeIngestEndpoint(input) {
      const v = new WireValidator();
      const name = v.string(input['Name'], 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      return ingestOut(await inbound.describeIngestEndpoint(name ?? ''));
    },

    async ListIngestEndpoints(input) {
      const v = new WireValidator();
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await inbound.listIngestEndpoints(page);
      return defined({ IngestEndpoints: result.items.map(ingestOut), NextToken: result.nextToken });
    },

    async DeleteIngestEndpoint(input) {
      const v = new WireValidator();
      const name = v.string(input['Name'], 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      await inbound.deleteIngestEndpoint(name ?? '');
    },
  };
  return new Map(Object.entries(operations).map(([name, handler]) => [`Busway.${name}`, handler]));
}
