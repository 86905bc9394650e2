/**
 * Webhooks: a definition checked and defaulted at creation, compiled once into a handler that turns
 * one HTTP request into one event (or refuses it with an honest status).
 *
 * Order of checks per request: method (405), size (413), rate (429), authentication (401/403), body
 * (400 unparsable, 422 schema), activation condition (false: acknowledged, not published), mapping
 * (422 when an expression fails or yields no valid value), publish through BusService.putEvents.
 *
 * The correlation key goes on the event as `detail[<field>]` (default field `correlationKey`), so rules
 * and targets read it where they read everything else.
 */
import { matchesPattern, parsePattern, type Pattern } from '@busway/patterns';
import { InboundRequestError, ValidationError } from '../../errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import {
  compileAuthentication,
  normaliseAuthentication,
  type AuthenticationInput,
} from '../auth/compile-auth.js';
import type { JwksCache } from '../auth/jwt.js';
import {
  compileExpression,
  headerValue,
  parseBody,
  requestView,
  type CompiledExpression,
} from '../expressions.js';
import { compileSchema } from '../schemas.js';
import type {
  ActivationCondition,
  InboundRequest,
  RateLimit,
  ValueSource,
  WebhookDefinition,
} from '../types.js';

/** At most 100: the router matches no longer path parameter (Fastify's maxParamLength). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
export const DEFAULT_MAX_BODY_BYTES = 262_144;
const SOURCE_PATTERN = /^(?!aws\.)[^\s]{1,256}$/;

/** What CreateWebhook gives the domain (camelCase, optional members absent). */
export interface WebhookInput {
  id: string;
  description?: string;
  methods?: string[];
  busName?: string;
  source?: string;
  sourceExpression?: string;
  detailType?: string;
  detailTypeExpression?: string;
  detail?: string;
  correlationKey?: { expression: string; field?: string };
  activation?: { pattern?: string; expression?: string };
  bodySchema?: Record<string, unknown>;
  response?: { statusCode?: number; body?: string };
  rateLimit?: { requestsPerSecond: number; burst?: number };
  maxBodyBytes?: number;
  authentication?: AuthenticationInput;
}

function valueSource(
  value: string | undefined,
  expression: string | undefined,
  fallback: string,
  what: string,
): ValueSource {
  if (value !== undefined && expression !== undefined) {
    throw new ValidationError(`Give ${what} or ${what}Expression, not both.`);
  }
  if (expression !== undefined) {
    compileExpression(expression, `${what}Expression`);
    return { expression };
  }
  return { value: value ?? fallback };
}

export function normaliseRateLimit(
  input: { requestsPerSecond: number; burst?: number } | undefined,
): RateLimit | undefined {
  if (input === undefined) return undefined;
  const { requestsPerSecond, burst } = input;
  if (!(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0 && requestsPerSecond <= 1_000_000)) {
    throw new ValidationError('RateLimit.RequestsPerSecond must be a number above 0 and at most 1000000.');
  }
  if (burst !== undefined && !(Number.isInteger(burst) && burst >= 1 && burst <= 1_000_000)) {
    throw new ValidationError('RateLimit.Burst must be a whole number from 1 to 1000000.');
  }
  return { requestsPerSecond, burst: burst ?? Math.max(1, Math.ceil(requestsPerSecond)) };
}

export function normaliseMaxBodyBytes(value: number | undefined, serverLimit: number): number {
  if (value === undefined) return Math.min(DEFAULT_MAX_BODY_BYTES, serverLimit);
  if (!Number.isInteger(value) || value < 1 || value > serverLimit) {
    throw new ValidationError(
      `MaxBodyBytes must be a whole number from 1 to ${serverLimit} (the server's limit).`,
    );
  }
  return value;
}

/** Checks a CreateWebhook input and fills in defaults; `generated` is a secret made for the caller. */
export function normaliseWebhook(
  input: WebhookInput,
  serverMaxBodyBytes: number,
): { definition: WebhookDefinition; generated?: string } {
  if (!ID_PATTERN.test(input.id)) {
    throw new ValidationError('A webhook id is 1-100 characters of A-Z, a-z, 0-9, hyphen and underscore.');
  }
  const methods = (input.methods ?? ['POST']).map((method) => method.toUpperCase());
  if (methods.length === 0 || methods.some((method) => !METHODS.includes(method))) {
    throw new ValidationError(`Methods must be a non-empty list of ${METHODS.join(', ')}.`);
  }
  if (methods.includes('ANY') && methods.length > 1)
    throw new ValidationError('ANY stands alone in Methods.');
  const source = valueSource(input.source, input.sourceExpression, `webhook.${input.id}`, 'Source');
  if ('value' in source && !SOURCE_PATTERN.test(source.value)) {
    throw new ValidationError('Source must be 1-256 characters without spaces, not starting with aws.');
  }
  const detailType = valueSource(
    input.detailType,
    input.detailTypeExpression,
    'Webhook Received',
    'DetailType',
  );
  if ('value' in detailType && (detailType.value.length === 0 || detailType.value.length > 128)) {
    throw new ValidationError('DetailType must be 1-128 characters.');
  }
  if (input.detail !== undefined) compileExpression(input.detail, 'Detail');
  let correlationKey: WebhookDefinition['correlationKey'];
  if (input.correlationKey !== undefined) {
    compileExpression(input.correlationKey.expression, 'CorrelationKey.Expression');
    const field = input.correlationKey.field ?? 'correlationKey';
    if (field.length === 0 || field.length > 128)
      throw new ValidationError('CorrelationKey.Field must be 1-128 characters.');
    correlationKey = { expression: input.correlationKey.expression, field };
  }
  let activation: ActivationCondition | undefined;
  if (input.activation !== undefined) {
    const { pattern, expression } = input.activation;
    if ((pattern === undefined) === (expression === undefined)) {
      throw new ValidationError('ActivationCondition takes one of EventPattern or Expression.');
    }
    if (pattern !== undefined) {
      compilePattern(pattern);
      activation = { pattern };
    } else if (expression !== undefined) {
      compileExpression(expression, 'ActivationCondition.Expression');
      activation = { expression };
    }
  }
  if (input.bodySchema !== undefined) compileSchema(input.bodySchema, 'BodySchema');
  const statusCode = input.response?.statusCode ?? 202;
  if (!Number.isInteger(statusCode) || statusCode < 200 || statusCode > 299 || statusCode === 204) {
    throw new ValidationError('Response.StatusCode must be a 2xx status with a body (200-299, not 204).');
  }
  if (input.response?.body !== undefined) compileExpression(input.response.body, 'Response.Body');
  const rateLimit = normaliseRateLimit(input.rateLimit);
  const { config, generated } = normaliseAuthentication(input.authentication);
  const definition: WebhookDefinition = {
    id: input.id,
    ...(input.description !== undefined && { description: input.description }),
    methods,
    busName: input.busName ?? 'default',
    source,
    detailType,
    ...(input.detail !== undefined && { detail: input.detail }),
    ...(correlationKey !== undefined && { correlationKey }),
    ...(activation !== undefined && { activation }),
    ...(input.bodySchema !== undefined && { bodySchema: input.bodySchema }),
    response: { statusCode, ...(input.response?.body !== undefined && { body: input.response.body }) },
    ...(rateLimit !== undefined && { rateLimit }),
    maxBodyBytes: normaliseMaxBodyBytes(input.maxBodyBytes, serverMaxBodyBytes),
    authentication: config,
  };
  return generated === undefined ? { definition } : { definition, generated };
}

function compilePattern(text: string): Pattern {
  try {
    return parsePattern(text);
  } catch (error) {
    throw new ValidationError(
      `ActivationCondition.EventPattern: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** One event to publish, built from a request. */
export interface WebhookEvent {
  source: string;
  detailType: string;
  detail: string;
  correlationKey?: string;
}

export type WebhookOutcome =
  | { kind: 'not-activated' }
  | {
      kind: 'event';
      event: WebhookEvent;
      /**
       * Standard Webhooks: the `webhook-id` and how long a resend of it can still pass the replay window,
       * so that a resent message is answered with the first one's event instead of published again.
       */
      idempotency?: { messageId: string; windowMs: number };
      respond(eventId: string): Promise<{ status: number; body: unknown }>;
    };

export interface CompiledWebhook {
  readonly definition: WebhookDefinition;
  /** Method and size, before anything else is read. */
  checkEnvelope(request: InboundRequest): void;
  /** Authenticates, parses, checks the condition and maps the request; throws InboundRequestError. */
  process(request: InboundRequest): Promise<WebhookOutcome>;
}

export function compileWebhook(definition: WebhookDefinition, jwks: JwksCache): CompiledWebhook {
  const authenticate: Authenticator = compileAuthentication(definition.authentication, jwks);
  const valueOf = (source: ValueSource, what: string) => {
    if ('value' in source) return async () => source.value;
    const expression = compileExpression(source.expression, `${what}Expression`);
    return async (input: unknown) => {
      const value = await expression.evaluate(input);
      if ((typeof value !== 'string' && typeof value !== 'number') || value === '') {
        throw new InboundRequestError(
          422,
          'Mapping failed',
          `${what}Expression gave no string for this request.`,
        );
      }
      return String(value);
    };
  };
  const source = valueOf(definition.source, 'Source');
  const detailType = valueOf(definition.detailType, 'DetailType');
  const detail: CompiledExpression | undefined =
    definition.detail === undefined ? undefined : compileExpression(definition.detail, 'Detail');
  const correlation =
    definition.correlationKey === undefined
      ? undefined
      : {
          expression: compileExpression(definition.correlationKey.expression, 'CorrelationKey'),
          field: definition.correlationKey.field,
        };
  const activation = definition.activation;
  const pattern =
    activation !== undefined && 'pattern' in activation ? compilePattern(activation.pattern) : undefined;
  const condition =
    activation !== undefined && 'expression' in activation
      ? compileExpression(activation.expression, 'ActivationCondition')
      : undefined;
  const schema =
    definition.bodySchema === undefined ? undefined : compileSchema(definition.bodySchema, 'BodySchema');
  const responseBody =
    definition.response.body === undefined
      ? undefined
      : compileExpression(definition.response.body, 'Response.Body');
  const allowed = definition.methods.includes('ANY') ? undefined : new Set(definition.methods);

  return {
    definition,
    checkEnvelope(request) {
      if (allowed !== undefined && !allowed.has(request.method)) {
        throw new InboundRequestError(
          405,
          'Method not allowed',
          `This webhook accepts ${[...allowed].join(', ')}, not ${request.method}.`,
          { allow: [...allowed].join(', ') },
        );
      }
      if (request.rawBody.length > definition.maxBodyBytes) throw tooLarge(definition.maxBodyBytes);
    },
    async process(request) {
      // Credentials come before the body is parsed: an unauthenticated caller makes the server parse nothing.
      const rawView = requestView(request, null);
      const auth = await authenticate(request, rawView);
      const body = parseBody(request);
      const view = {
        ...requestView(request, body),
        ...(auth.claims !== undefined && { claims: auth.claims }),
      };
      if (schema !== undefined) {
        const problem = schema.check(body);
        if (problem !== undefined) {
          throw new InboundRequestError(
            422,
            'Body failed validation',
            `The body does not match the webhook's schema: ${problem}`,
          );
        }
      }
      if (!(await isActivated(view))) return { kind: 'not-activated' };
      const mapped = detail === undefined ? body : await detail.evaluate(view);
      const detailObject = asDetailObject(mapped, detail !== undefined);
      let correlationKey: string | undefined;
      if (correlation !== undefined) {
        const key = await correlation.expression.evaluate(view);
        if ((typeof key !== 'string' && typeof key !== 'number') || key === '') {
          throw new InboundRequestError(
            422,
            'Correlation key missing',
            'The correlation key expression found no string or number in this request.',
          );
        }
        correlationKey = String(key);
        detailObject[correlation.field] = correlationKey;
      }
      const event: WebhookEvent = {
        source: await source(view),
        detailType: await detailType(view),
        detail: JSON.stringify(detailObject),
        ...(correlationKey !== undefined && { correlationKey }),
      };
      const config = definition.authentication;
      const messageId = config.type === 'standard-webhooks' ? headerValue(request, 'webhook-id') : undefined;
      return {
        kind: 'event',
        event,
        ...(messageId !== undefined &&
          config.type === 'standard-webhooks' && {
            // The timestamp may be up to the tolerance either side of now: a resend stays valid twice that.
            idempotency: { messageId, windowMs: 2 * config.toleranceSeconds * 1000 },
          }),
        async respond(eventId) {
          const answer =
            responseBody === undefined
              ? { eventId, ...(correlationKey !== undefined && { correlationKey }) }
              : ((await responseBody.evaluate({ eventId, correlationKey, request: view })) ?? null);
          return { status: definition.response.statusCode, body: answer };
        },
      };
    },
  };

  async function isActivated(view: Record<string, unknown>): Promise<boolean> {
    if (pattern !== undefined) {
      // The pattern engine reads JSON values; the view is JSON already (headers and query are strings).
      return matchesPattern(pattern, JSON.parse(JSON.stringify(view)) as Record<string, never>);
    }
    if (condition !== undefined) return (await condition.evaluate(view)) === true;
    return true;
  }
}

/** The body as an event's detail: an object as is, anything else wrapped as `{"body": ...}`. */
function asDetailObject(value: unknown, mapped: boolean): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { ...(value as Record<string, unknown>) };
  }
  if (mapped) {
    throw new InboundRequestError(
      422,
      'Mapping failed',
      'The Detail mapping must give a JSON object for this request.',
    );
  }
  return value === null ? {} : { body: value };
}

export function tooLarge(limit: number): InboundRequestError {
  return new InboundRequestError(
    413,
    'Payload too large',
    `The body is over this endpoint's limit of ${limit} bytes.`,
  );
}
