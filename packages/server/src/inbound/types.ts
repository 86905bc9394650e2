/**
 * Inbound endpoints in domain terms (camelCase): webhooks (`/webhooks/{id}`) that turn an HTTP call into
 * one event, and client-event ingestion endpoints (`/ingest/{name}`) that take batches of entries with a
 * JWT. Nothing here knows HTTP frameworks: requests come in as InboundRequest and leave as
 * InboundResponse; refusals are InboundRequestError (errors.ts), rendered by routes.ts.
 *
 * Expressions (locators, mappings, role expressions, expression conditions) are JSONata; see
 * docs/inbound.md for the input each one sees.
 */

/** A value fixed in the definition, or computed by a JSONata expression over the request. */
export type ValueSource = { value: string } | { expression: string };

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** How callers authenticate; secrets (password, keys, secrets) are sealed at rest, never returned. */
export type AuthenticationConfig =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'api-key';
      /** JSONata over the request view that yields the presented key. */
      locator: string;
      keys: string[];
    }
  | JwtAuthentication
  | {
      type: 'standard-webhooks';
      /** `whsec_<base64>` secrets; several during a rotation. */
      secrets: string[];
      /** Replay window around `webhook-timestamp`, in seconds (default 300). */
      toleranceSeconds: number;
    }
  | HmacAuthentication;

export interface JwtAuthentication {
  type: 'jwt';
  jwksUrl: string;
  issuer?: string;
  audience?: string[];
  /** Accepted `alg` values; jose's defaults (those of the keys) when absent. */
  algorithms?: string[];
  /** JSONata over the request view yielding the token; `Authorization: Bearer <token>` when absent. */
  tokenLocator?: string;
  /** JSONata over the verified claims yielding a role or a list of roles. */
  roleExpression?: string;
  /** Roles the caller must all have (403 otherwise). */
  requiredRoles?: string[];
  clockToleranceSeconds: number;
}

/**
 * A signature over the body in a header: GitHub (`X-Hub-Signature-256: sha256=<hex>`), Stripe
 * (`Stripe-Signature: t=<ts>,v1=<hex>`, payload `{timestamp}.{body}`), Slack (timestamp header) ...
 */
export interface HmacAuthentication {
  type: 'hmac';
  /** Header carrying the signature (case-insensitive). */
  header: string;
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  secrets: string[];
  /** `plain`: the header value is one signature; `key-value`: `k=v,k=v` pairs (Stripe). */
  format: 'plain' | 'key-value';
  /** Stripped from a plain value before decoding (`sha256=`). */
  prefix?: string;
  /** key-value: the key of the signatures (`v1`); every pair with it is a candidate. */
  signatureKey?: string;
  /** key-value: the key of the timestamp (`t`). */
  timestampKey?: string;
  /** plain: a header carrying the timestamp (Slack's `X-Slack-Request-Timestamp`). */
  timestampHeader?: string;
  /** What is signed: `{body}` and `{timestamp}` are replaced; default `{body}`. */
  signedPayload: string;
  /** Replay window when a timestamp is signed, in seconds (default 300). */
  toleranceSeconds: number;
}

export type ActivationCondition = { pattern: string } | { expression: string };

export interface RateLimit {
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period (default: requestsPerSecond, at least 1). */
  burst: number;
}

export interface WebhookDefinition {
  id: string;
  description?: string;
  /** Upper-case HTTP methods, or `['ANY']`. */
  methods: string[];
  busName: string;
  source: ValueSource;
  detailType: ValueSource;
  /** JSONata mapping over the request view; the body (an object) when absent. */
  detail?: string;
  /** Extracted from the request and put on the event as `detail[field]`. */
  correlationKey?: { expression: string; field: string };
  activation?: ActivationCondition;
  /** JSON Schema the parsed body must satisfy (422 otherwise). */
  bodySchema?: Record<string, unknown>;
  response: { statusCode: number; body?: string };
  rateLimit?: RateLimit;
  maxBodyBytes: number;
  authentication: AuthenticationConfig;
}

export interface IngestEndpointDefinition {
  name: string;
  description?: string;
  busName: string;
  source: string;
  /** Fixed, or JSONata over `{entry, claims}`. */
  detailType: ValueSource;
  authentication: JwtAuthentication;
  /** Claim name -> detail field (`custom:clientId` -> `clientId`). */
  claims: Record<string, string>;
  /** Detail field -> constant value (`environment` -> `"prod"`). */
  constants: Record<string, unknown>;
  /** JSON Schema each entry's JSON must satisfy. */
  entrySchema?: Record<string, unknown>;
  rateLimit?: RateLimit;
  maxBodyBytes: number;
}

/** Counters since the server started (per node), reported by Describe*. */
export interface InboundStats {
  received: number;
  published: number;
  /** Acknowledged but not published: the activation condition was false. */
  notActivated: number;
  /** Refused with a 4xx. */
  rejected: number;
  /** Standard Webhooks messages resent with a `webhook-id` already published: answered, not published again. */
  duplicates: number;
}

/** An HTTP request as the inbound domain sees it. */
export interface InboundRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** Lower-case names; repeated headers joined with `, ` (set-cookie excepted, which is not read). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, string | string[]>>;
  rawBody: Buffer;
}

export interface InboundResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}
