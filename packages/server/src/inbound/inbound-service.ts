/**
 * The inbound service: manages webhook and ingestion endpoint definitions (secrets sealed with the
 * master key, never returned) and serves their requests, publishing through BusService.putEvents so
 * that rules route the events and deliveries are stored like any PutEvents.
 *
 * Serving reads an endpoint's definition from the store at most once a second per endpoint (and
 * recompiles it only when it changed), so a definition changed by another node takes effect within a
 * second; this node's own changes take effect at once.
 */
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../auth/access-keys.js';
import type { BusService, PutEventsEntryInput } from '../bus/types.js';
import { ConflictError, InboundRequestError, NotFoundError, ValidationError } from '../errors.js';
import type { InboundEndpointKind, InboundEndpointRecord, Page, Store } from '../store/store.js';
import { joinSecrets, splitSecrets, type AuthenticationInput } from './auth/compile-auth.js';
import { JwksCache, type JwksFetch } from './auth/jwt.js';
import {
  compileIngestEndpoint,
  normaliseIngestEndpoint,
  type CompiledIngestEndpoint,
  type IngestEndpointInput,
} from './ingest/ingest-endpoint.js';
import { createTokenBucket, type TokenBucket } from './rate-limit.js';
import type {
  AuthenticationConfig,
  IngestEndpointDefinition,
  InboundRequest,
  InboundResponse,
  InboundStats,
  RateLimit,
  WebhookDefinition,
} from './types.js';
import {
  compileWebhook,
  normaliseWebhook,
  type CompiledWebhook,
  type WebhookInput,
} from './webhooks/webhook.js';

/** A definition as Describe/List show it: secrets replaced by their count. */
export type PublicAuthentication = Record<string, unknown> & {
  type: AuthenticationConfig['type'];
  secretCount?: number;
};

export interface EndpointView<D> {
  definition: Omit<D, 'authentication'> & { authentication: PublicAuthentication };
  createdAt: number;
  updatedAt: number;
  stats: InboundStats;
}

export type WebhookView = EndpointView<WebhookDefinition>;
export type IngestEndpointView = EndpointView<IngestEndpointDefinition>;

export interface InboundService {
  createWebhook(
    input: Omit<WebhookInput, 'id'> & { id?: string },
  ): Promise<{ webhook: WebhookView; generatedSecret?: string }>;
  /**
   * Changes the members given and keeps the others (secrets included, unless Authentication is given:
   * it is then replaced whole). Giving Source drops SourceExpression and the other way round, as for
   * DetailType. Stats are kept.
   */
  updateWebhook(
    id: string,
    changes: Omit<WebhookInput, 'id'>,
  ): Promise<{ webhook: WebhookView; generatedSecret?: string }>;
  describeWebhook(id: string): Promise<WebhookView>;
  listWebhooks(page: { nextToken?: string; limit?: number }): Promise<Page<WebhookView>>;
  deleteWebhook(id: string): Promise<void>;
  createIngestEndpoint(input: IngestEndpointInput): Promise<IngestEndpointView>;
  describeIngestEndpoint(name: string): Promise<IngestEndpointView>;
  listIngestEndpoints(page: { nextToken?: string; limit?: number }): Promise<Page<IngestEndpointView>>;
  deleteIngestEndpoint(name: string): Promise<void>;
  /** Serves `/webhooks/{id}`; throws InboundRequestError for refusals. */
  handleWebhook(id: string, request: InboundRequest): Promise<InboundResponse>;
  /** Serves `/ingest/{name}`; throws InboundRequestError for refusals. */
  handleIngest(name: string, request: InboundRequest): Promise<InboundResponse>;
}

export interface InboundServiceOptions {
  store: Store;
  keyring: Pick<Keyring, 'sealSecret' | 'openSecret'>;
  bus: BusService;
  /** The server's transport limit: no endpoint may accept more. */
  maxBodyBytes: number;
  /**
   * How JWKS documents are fetched: the server passes a fetch over its outbound dispatcher, so a JWKS URL
   * cannot reach link-local or metadata addresses either (delivery/outbound.ts). Defaults to global fetch.
   */
  fetchJwks?: JwksFetch;
  now?: () => number;
}

const CACHE_TTL_MS = 1000;
/** Unknown ids are cached too (as absent); the cache is emptied past this size to bound memory. */
const MAX_CACHED = 10_000;
/** Standard Webhooks message ids remembered per endpoint (about 100 bytes each). */
const MAX_REMEMBERED_IDS = 100_000;

interface Served<C> {
  updatedAt: number;
  compiled: C;
  bucket?: TokenBucket;
}

/** A stored definition as an input again (for updates, which change some members and keep the rest). */
function inputOf(definition: WebhookDefinition): WebhookInput {
  const { source, detailType, activation, authentication, ...rest } = definition;
  return {
    ...rest,
    ...('value' in source ? { source: source.value } : { sourceExpression: source.expression }),
    ...('value' in detailType
      ? { detailType: detailType.value }
      : { detailTypeExpression: detailType.expression }),
    ...(activation !== undefined && { activation }),
    authentication: authentication as unknown as AuthenticationInput,
  };
}

function secretContext(kind: InboundEndpointKind, id: string): string {
  return `inbound:${kind}:${id}`;
}

export function createInboundService(options: InboundServiceOptions): InboundService {
  const { store, keyring, bus } = options;
  const now = options.now ?? Date.now;
  const jwks = new JwksCache(options.fetchJwks);
  const stats = new Map<string, InboundStats>();
  const cache = new Map<string, { at: number; value: Promise<Served<unknown> | undefined> }>();
  /** Published Standard Webhooks message ids per endpoint: the event id each got, and until when it is kept. */
  const published = new Map<string, Map<string, { eventId: Promise<string>; until: number }>>();

  /**
   * Publishes once per message id within its window: a resend (the sender did not see our answer) gets
   * the first event id. In-process only; a resend to another node publishes again.
   */
  function once(key: string, messageId: string, windowMs: number, publishEvent: () => Promise<string>) {
    let ids = published.get(key);
    if (ids === undefined) {
      ids = new Map();
      published.set(key, ids);
    }
    const at = now();
    const known = ids.get(messageId);
    if (known !== undefined && known.until > at) return { duplicate: true, eventId: known.eventId };
    if (ids.size >= MAX_REMEMBERED_IDS) {
      for (const [id, entry] of ids) if (entry.until <= at) ids.delete(id);
      // Still full of live ids: forget the oldest (Map keeps insertion order).
      for (const id of ids.keys()) {
        if (ids.size < MAX_REMEMBERED_IDS) break;
        ids.delete(id);
      }
    }
    const eventId = publishEvent();
    const entry = { eventId, until: at + windowMs };
    ids.set(messageId, entry);
    // A failed publish is not remembered: the sender's retry must be able to succeed.
    eventId.catch(() => {
      if (ids.get(messageId) === entry) ids.delete(messageId);
    });
    return { duplicate: false, eventId };
  }

  const statsOf = (key: string): InboundStats => {
    let found = stats.get(key);
    if (found === undefined) {
      found = { received: 0, published: 0, notActivated: 0, rejected: 0, duplicates: 0 };
      stats.set(key, found);
    }
    return found;
  };

  async function persist(
    kind: InboundEndpointKind,
    id: string,
    definition: { authentication: AuthenticationConfig },
  ) {
    const { public: publicAuth, secrets } = splitSecrets(definition.authentication);
    const at = now();
    const record: InboundEndpointRecord = {
      kind,
      id,
      definition: JSON.stringify({ ...definition, authentication: publicAuth }),
      ...(secrets.length > 0 && {
        secretCiphertext: await keyring.sealSecret(secretContext(kind, id), JSON.stringify(secrets)),
      }),
      createdAt: at,
      updatedAt: at,
    };
    return { record, outcome: await store.createInboundEndpoint(record) };
  }

  function view<D extends { authentication: AuthenticationConfig }>(
    record: InboundEndpointRecord,
  ): EndpointView<D> {
    const definition = JSON.parse(record.definition) as D & { authentication: Record<string, unknown> };
    const secretCount =
      record.secretCiphertext === undefined ? undefined : countSecrets(definition.authentication);
    return {
      definition: {
        ...definition,
        authentication: {
          ...definition.authentication,
          ...(secretCount !== undefined && { secretCount }),
        } as PublicAuthentication,
      },
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      stats: { ...statsOf(`${record.kind}:${record.id}`) },
    };
  }

  /** Secrets are counted when sealing (kept in the public part), so listing never decrypts. */
  function countSecrets(auth: Record<string, unknown>): number | undefined {
    return typeof auth['secretCount'] === 'number' ? auth['secretCount'] : undefined;
  }

  async function load(kind: InboundEndpointKind, id: string): Promise<InboundEndpointRecord> {
    const record = await store.getInboundEndpoint(kind, id);
    if (record === undefined) {
      throw new NotFoundError(
        `${kind === 'webhook' ? 'Webhook' : 'Ingestion endpoint'} ${id} does not exist.`,
      );
    }
    return record;
  }

  async function definitionOf<D>(record: InboundEndpointRecord): Promise<D> {
    const stored = JSON.parse(record.definition) as D & { authentication: Record<string, unknown> };
    const publicAuth = { ...stored.authentication };
    delete publicAuth['secretCount'];
    const secrets =
      record.secretCiphertext === undefined
        ? []
        : (JSON.parse(
            await keyring.openSecret(secretContext(record.kind, record.id), record.secretCiphertext),
          ) as string[]);
    return { ...stored, authentication: joinSecrets(publicAuth, secrets) };
  }

  /** The compiled endpoint, from the cache when fresh; undefined for an unknown id. */
  async function served<C>(
    kind: InboundEndpointKind,
    id: string,
    compile: (record: InboundEndpointRecord) => Promise<{ compiled: C; rateLimit?: RateLimit }>,
  ): Promise<Served<C> | undefined> {
    const key = `${kind}:${id}`;
    const at = now();
    const cached = cache.get(key);
    if (cached !== undefined && at - cached.at < CACHE_TTL_MS)
      return (await cached.value) as Served<C> | undefined;
    if (cache.size > MAX_CACHED) cache.clear();
    const previous = cached?.value;
    const value = (async () => {
      const record = await store.getInboundEndpoint(kind, id);
      if (record === undefined) return undefined;
      const before = (await previous?.catch(() => undefined)) as Served<C> | undefined;
      if (before !== undefined && before.updatedAt === record.updatedAt) return before;
      const { compiled, rateLimit } = await compile(record);
      return {
        updatedAt: record.updatedAt,
        compiled,
        ...(rateLimit !== undefined && { bucket: createTokenBucket(rateLimit, now()) }),
      };
    })();
    cache.set(key, { at, value });
    value.catch(() => cache.delete(key));
    return value;
  }

  function forget(kind: InboundEndpointKind, id: string): void {
    cache.delete(`${kind}:${id}`);
    stats.delete(`${kind}:${id}`);
    published.delete(`${kind}:${id}`);
  }

  function checkRate(bucket: TokenBucket | undefined): void {
    if (bucket === undefined) return;
    const taken = bucket.take(now());
    if (!taken.ok) {
      throw new InboundRequestError(
        429,
        'Too many requests',
        "This endpoint's rate limit is reached; retry later.",
        {
          'retry-after': String(taken.retryAfterSeconds),
        },
      );
    }
  }

  async function listOf<D extends { authentication: AuthenticationConfig }>(
    kind: InboundEndpointKind,
    page: { nextToken?: string; limit?: number },
  ): Promise<Page<EndpointView<D>>> {
    const result = await store.listInboundEndpoints(kind, {
      limit: page.limit ?? 100,
      ...(page.nextToken !== undefined && { nextToken: page.nextToken }),
    });
    return {
      items: result.items.map((record) => view<D>(record)),
      ...(result.nextToken !== undefined && { nextToken: result.nextToken }),
    };
  }

  async function withSecretCount<D extends { authentication: AuthenticationConfig }>(
    definition: D,
  ): Promise<D> {
    const { secrets } = splitSecrets(definition.authentication);
    // The count rides in the public part so Describe can show it without decrypting anything.
    return secrets.length === 0
      ? definition
      : ({
          ...definition,
          authentication: { ...definition.authentication, secretCount: secrets.length },
        } as D);
  }

  /** putEvents, with its request-level refusal (over PutEvents' size limit) as the caller's 413. */
  async function publish(entries: PutEventsEntryInput[]) {
    try {
      return await bus.putEvents(entries);
    } catch (error) {
      if (error instanceof ValidationError) {
        throw new InboundRequestError(
          413,
          'Payload too large',
          `The event(s) are too large for the bus: ${error.message}`,
        );
      }
      throw error;
    }
  }

  async function counted<T>(key: string, work: () => Promise<T>): Promise<T> {
    const counters = statsOf(key);
    counters.received++;
    try {
      return await work();
    } catch (error) {
      if (error instanceof InboundRequestError || error instanceof NotFoundError) counters.rejected++;
      throw error;
    }
  }

  return {
    async createWebhook(input) {
      const id = input.id ?? randomBytes(15).toString('base64url');
      const { definition, generated } = normaliseWebhook({ ...input, id }, options.maxBodyBytes);
      compileWebhook(definition, jwks); // every expression, pattern and schema compiles, or this throws
      await bus.describeEventBus(definition.busName);
      const { record, outcome } = await persist('webhook', id, await withSecretCount(definition));
      if (outcome === 'exists') throw new ConflictError(`Webhook ${id} already exists.`);
      forget('webhook', id);
      const webhook = view<WebhookDefinition>(record);
      return generated === undefined ? { webhook } : { webhook, generatedSecret: generated };
    },
    async updateWebhook(id, changes) {
      const record = await load('webhook', id);
      const current = await definitionOf<WebhookDefinition>(record);
      const merged: WebhookInput = { ...inputOf(current), ...changes, id };
      if (changes.source !== undefined) delete merged.sourceExpression;
      if (changes.sourceExpression !== undefined) delete merged.source;
      if (changes.detailType !== undefined) delete merged.detailTypeExpression;
      if (changes.detailTypeExpression !== undefined) delete merged.detailType;
      const { definition, generated } = normaliseWebhook(merged, options.maxBodyBytes);
      compileWebhook(definition, jwks);
      await bus.describeEventBus(definition.busName);
      const { public: publicAuth, secrets } = splitSecrets(definition.authentication);
      const updated: InboundEndpointRecord = {
        kind: 'webhook',
        id,
        definition: JSON.stringify({
          ...definition,
          authentication: secrets.length === 0 ? publicAuth : { ...publicAuth, secretCount: secrets.length },
        }),
        ...(secrets.length > 0 && {
          secretCiphertext: await keyring.sealSecret(secretContext('webhook', id), JSON.stringify(secrets)),
        }),
        createdAt: record.createdAt,
        // Strictly later, so that every node's cache sees a change even within one millisecond.
        updatedAt: Math.max(now(), record.updatedAt + 1),
      };
      if ((await store.updateInboundEndpoint(updated)) === 'not-found') {
        throw new NotFoundError(`Webhook ${id} does not exist.`);
      }
      cache.delete(`webhook:${id}`);
      const webhook = view<WebhookDefinition>(updated);
      return generated === undefined ? { webhook } : { webhook, generatedSecret: generated };
    },
    async describeWebhook(id) {
      return view<WebhookDefinition>(await load('webhook', id));
    },
    listWebhooks: (page) => listOf<WebhookDefinition>('webhook', page),
    async deleteWebhook(id) {
      if ((await store.deleteInboundEndpoint('webhook', id)) === 'not-found') {
        throw new NotFoundError(`Webhook ${id} does not exist.`);
      }
      forget('webhook', id);
    },

    async createIngestEndpoint(input) {
      const definition = normaliseIngestEndpoint(input, options.maxBodyBytes);
      compileIngestEndpoint(definition, jwks);
      await bus.describeEventBus(definition.busName);
      const { record, outcome } = await persist('ingest', definition.name, definition);
      if (outcome === 'exists')
        throw new ConflictError(`Ingestion endpoint ${definition.name} already exists.`);
      forget('ingest', definition.name);
      return view<IngestEndpointDefinition>(record);
    },
    async describeIngestEndpoint(name) {
      return view<IngestEndpointDefinition>(await load('ingest', name));
    },
    listIngestEndpoints: (page) => listOf<IngestEndpointDefinition>('ingest', page),
    async deleteIngestEndpoint(name) {
      if ((await store.deleteInboundEndpoint('ingest', name)) === 'not-found') {
        throw new NotFoundError(`Ingestion endpoint ${name} does not exist.`);
      }
      forget('ingest', name);
    },

    async handleWebhook(id, request) {
      const endpoint = await served<CompiledWebhook>('webhook', id, async (record) => {
        const definition = await definitionOf<WebhookDefinition>(record);
        return {
          compiled: compileWebhook(definition, jwks),
          ...(definition.rateLimit && { rateLimit: definition.rateLimit }),
        };
      });
      if (endpoint === undefined)
        throw new InboundRequestError(404, 'Not found', `There is no webhook ${id}.`);
      return counted(`webhook:${id}`, async () => {
        const webhook = endpoint.compiled;
        webhook.checkEnvelope(request);
        checkRate(endpoint.bucket);
        const outcome = await webhook.process(request);
        if (outcome.kind === 'not-activated') {
          statsOf(`webhook:${id}`).notActivated++;
          return { status: 202, body: { activated: false } };
        }
        const entry: PutEventsEntryInput = {
          busName: webhook.definition.busName,
          source: outcome.event.source,
          detailType: outcome.event.detailType,
          detail: outcome.event.detail,
        };
        const publishEvent = async () => {
          const [result] = await publish([entry]);
          if (result === undefined || !('eventId' in result)) {
            throw new InboundRequestError(
              422,
              'Event refused',
              `The event built from this request was refused: ${result?.errorCode ?? 'unknown'}: ${result?.errorMessage ?? ''}`,
            );
          }
          statsOf(`webhook:${id}`).published++;
          return result.eventId;
        };
        if (outcome.idempotency !== undefined) {
          const { messageId, windowMs } = outcome.idempotency;
          const { duplicate, eventId } = once(`webhook:${id}`, messageId, windowMs, publishEvent);
          if (duplicate) statsOf(`webhook:${id}`).duplicates++;
          return outcome.respond(await eventId);
        }
        return outcome.respond(await publishEvent());
      });
    },

    async handleIngest(name, request) {
      const endpoint = await served<CompiledIngestEndpoint>('ingest', name, async (record) => {
        const definition = await definitionOf<IngestEndpointDefinition>(record);
        return {
          compiled: compileIngestEndpoint(definition, jwks),
          ...(definition.rateLimit && { rateLimit: definition.rateLimit }),
        };
      });
      if (endpoint === undefined)
        throw new InboundRequestError(404, 'Not found', `There is no ingestion endpoint ${name}.`);
      return counted(`ingest:${name}`, async () => {
        const ingest = endpoint.compiled;
        ingest.checkEnvelope(request);
        checkRate(endpoint.bucket);
        const prepared = await ingest.process(request);
        const good = prepared.flatMap((entry, index) => (entry.ok ? [{ entry, index }] : []));
        const published =
          good.length === 0
            ? []
            : await publish(
                good.map(({ entry }) => ({
                  busName: ingest.definition.busName,
                  source: ingest.definition.source,
                  detailType: entry.detailType,
                  detail: entry.detail,
                })),
              );
        const results: Array<Record<string, string>> = prepared.map((entry) =>
          entry.ok ? {} : { ErrorCode: entry.errorCode, ErrorMessage: entry.errorMessage },
        );
        good.forEach(({ index }, i) => {
          const result = published[i];
          results[index] =
            result !== undefined && 'eventId' in result
              ? { EventId: result.eventId }
              : {
                  ErrorCode: result?.errorCode ?? 'InternalFailure',
                  ErrorMessage: result?.errorMessage ?? '',
                };
        });
        const failed = results.filter((result) => result['ErrorCode'] !== undefined).length;
        statsOf(`ingest:${name}`).published += results.length - failed;
        return { status: 200, body: { FailedEntryCount: failed, Entries: results } };
      });
    },
  };
}
