/**
 * Client-event ingestion endpoints (`/ingest/{name}`): the shape of API-gateway-fronted client-event
 * pipelines. A JWT-authenticated POST of `{"entries":[{"entry":"<JSON text>"}, ...]}` (1-10 entries);
 * each entry's JSON object becomes one event's detail, enriched with configured claims and constants
 * (which win over fields of the same name in the entry, so a client cannot claim another client id),
 * and checked against the endpoint's JSON Schema. The answer has PutEvents' shape: one result per
 * entry, in order, an EventId or an ErrorCode and ErrorMessage.
 */
import { InboundRequestError, ValidationError } from '../../errors.js';
import { normaliseJwt } from '../auth/compile-auth.js';
import { createJwtVerifier, type JwksCache } from '../auth/jwt.js';
import {
  compileExpression,
  exceedsJsonDepth,
  headerValue,
  MAX_JSON_DEPTH,
  parseCallerJson,
} from '../expressions.js';
import { compileSchema } from '../schemas.js';
import type { IngestEndpointDefinition, InboundRequest, ValueSource } from '../types.js';
import { ID_PATTERN, normaliseMaxBodyBytes, normaliseRateLimit, tooLarge } from '../webhooks/webhook.js';

export const MAX_ENTRIES = 10;

export interface IngestEndpointInput {
  name: string;
  description?: string;
  busName?: string;
  source?: string;
  detailType?: string;
  detailTypeExpression?: string;
  authentication?: Record<string, unknown>;
  claims?: Record<string, string>;
  constants?: Record<string, unknown>;
  entrySchema?: Record<string, unknown>;
  rateLimit?: { requestsPerSecond: number; burst?: number };
  maxBodyBytes?: number;
}

export function normaliseIngestEndpoint(
  input: IngestEndpointInput,
  serverMaxBodyBytes: number,
): IngestEndpointDefinition {
  if (!ID_PATTERN.test(input.name)) {
    throw new ValidationError(
      'An ingestion endpoint name is 1-100 characters of A-Z, a-z, 0-9, hyphen and underscore.',
    );
  }
  if (input.authentication === undefined) {
    throw new ValidationError(
      'Authentication (JwksUrl, Issuer, Audience) is required for an ingestion endpoint.',
    );
  }
  const source = input.source ?? `ingest.${input.name}`;
  if (!/^(?!aws\.)[^\s]{1,256}$/.test(source)) {
    throw new ValidationError('Source must be 1-256 characters without spaces, not starting with aws.');
  }
  if (input.detailType !== undefined && input.detailTypeExpression !== undefined) {
    throw new ValidationError('Give DetailType or DetailTypeExpression, not both.');
  }
  let detailType: ValueSource;
  if (input.detailTypeExpression !== undefined) {
    compileExpression(input.detailTypeExpression, 'DetailTypeExpression');
    detailType = { expression: input.detailTypeExpression };
  } else {
    detailType = { value: input.detailType ?? 'Client Event' };
  }
  for (const field of Object.values(input.claims ?? {})) {
    if (field === '' || field.length > 128)
      throw new ValidationError('Claims map claim names to detail fields of 1-128 characters.');
  }
  if (input.entrySchema !== undefined) compileSchema(input.entrySchema, 'EntrySchema');
  const rateLimit = normaliseRateLimit(input.rateLimit);
  return {
    name: input.name,
    ...(input.description !== undefined && { description: input.description }),
    busName: input.busName ?? 'default',
    source,
    detailType,
    authentication: normaliseJwt(input.authentication),
    claims: input.claims ?? {},
    constants: input.constants ?? {},
    ...(input.entrySchema !== undefined && { entrySchema: input.entrySchema }),
    ...(rateLimit !== undefined && { rateLimit }),
    maxBodyBytes: normaliseMaxBodyBytes(input.maxBodyBytes, serverMaxBodyBytes),
  };
}

/** One entry, ready to publish or already failed (PutEvents' error codes where they fit). */
export type PreparedEntry =
  { ok: true; detailType: string; detail: string } | { ok: false; errorCode: string; errorMessage: string };

export interface CompiledIngestEndpoint {
  readonly definition: IngestEndpointDefinition;
  checkEnvelope(request: InboundRequest): void;
  /** Authenticates and reads the batch; per-entry problems are results, not errors. */
  process(request: InboundRequest): Promise<PreparedEntry[]>;
}

export function compileIngestEndpoint(
  definition: IngestEndpointDefinition,
  jwks: JwksCache,
): CompiledIngestEndpoint {
  const verifier = createJwtVerifier(definition.authentication, jwks);
  const schema =
    definition.entrySchema === undefined ? undefined : compileSchema(definition.entrySchema, 'EntrySchema');
  const detailTypeExpression =
    'expression' in definition.detailType
      ? compileExpression(definition.detailType.expression, 'DetailTypeExpression')
      : undefined;
  const fixedDetailType = 'value' in definition.detailType ? definition.detailType.value : undefined;
  const claimFields = Object.entries(definition.claims);
  const constants = Object.entries(definition.constants);

  async function prepare(text: unknown, claims: Record<string, unknown>): Promise<PreparedEntry> {
    if (typeof text !== 'string') {
      return { ok: false, errorCode: 'InvalidArgument', errorMessage: 'entry must be a string of JSON.' };
    }
    if (exceedsJsonDepth(text)) {
      return {
        ok: false,
        errorCode: 'MalformedDetail',
        errorMessage: `entry nests deeper than ${MAX_JSON_DEPTH} levels.`,
      };
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'entry is not valid JSON.' };
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'entry must be a JSON object.' };
    }
    const problem = schema?.check(entry);
    if (problem !== undefined)
      return { ok: false, errorCode: 'SchemaValidationFailed', errorMessage: problem };
    const detail: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
    for (const [claim, field] of claimFields) {
      if (claims[claim] !== undefined) detail[field] = claims[claim];
    }
    for (const [field, value] of constants) detail[field] = value;
    let detailType = fixedDetailType;
    if (detailTypeExpression !== undefined) {
      const value = await detailTypeExpression.evaluate({ entry, claims }).catch(() => undefined);
      if ((typeof value === 'string' || typeof value === 'number') && value !== '')
        detailType = String(value);
    }
    if (detailType === undefined || detailType.length > 128) {
      return {
        ok: false,
        errorCode: 'InvalidArgument',
        errorMessage: 'DetailTypeExpression gave no detail type of 1-128 characters for this entry.',
      };
    }
    return { ok: true, detailType, detail: JSON.stringify(detail) };
  }

  return {
    definition,
    checkEnvelope(request) {
      if (request.method !== 'POST') {
        throw new InboundRequestError(
          405,
          'Method not allowed',
          `Ingestion endpoints accept POST, not ${request.method}.`,
          {
            allow: 'POST',
          },
        );
      }
      if (request.rawBody.length > definition.maxBodyBytes) throw tooLarge(definition.maxBodyBytes);
    },
    async process(request) {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headerValue(request, 'authorization') ?? '');
      const claims = await verifier.verify(match?.[1]);
      const body = parseCallerJson(request.rawBody.toString('utf8'), 'The body');
      const entries =
        body !== null && typeof body === 'object' ? (body as { entries?: unknown }).entries : undefined;
      if (!Array.isArray(entries)) {
        throw new InboundRequestError(
          400,
          'Malformed body',
          'The body must be {"entries":[{"entry":"<JSON text>"}, ...]}.',
        );
      }
      if (entries.length < 1 || entries.length > MAX_ENTRIES) {
        throw new InboundRequestError(
          400,
          'Malformed body',
          `entries must hold 1 to ${MAX_ENTRIES} items, not ${entries.length}.`,
        );
      }
      return Promise.all(
        entries.map((item) =>
          prepare(
            item !== null && typeof item === 'object' ? (item as { entry?: unknown }).entry : undefined,
            claims,
          ),
        ),
      );
    },
  };
}
