/**
 * Connections and API destinations (reference §6): the rules of each operation, the connection states,
 * and the secrets, written against the store; no HTTP here.
 *
 * Secrets. A connection's secrets (password, API key value, client secret, and every parameter list with
 * its values) are sealed as one JSON blob with the server's master key (Keyring.sealSecret, AES-256-GCM,
 * bound to the connection's ARN) before they reach the store; the record keeps only what Describe may
 * show. Nothing here logs a secret: background failures are logged with the connection's name and the
 * failure's message, which names the endpoint and status only.
 *
 * States, as recorded against AWS: BASIC and API_KEY connections are AUTHORIZED at once; an OAuth
 * connection starts AUTHORIZING and a background token request moves it to AUTHORIZED, or to
 * DEAUTHORIZED with the failure as StateReason. DeauthorizeConnection answers DEAUTHORIZING and leaves
 * the connection DEAUTHORIZED without its credentials until UpdateConnection gives them again.
 * DeleteConnection answers DELETING and the connection is gone. An API destination is ACTIVE while its
 * connection is AUTHORIZED, INACTIVE otherwise.
 *
 * Deleting a connection that API destinations use: AWS documents nothing, so Busway refuses with a
 * ValidationException naming them, rather than leaving destinations that point at nothing.
 */
import { randomInt, randomUUID } from 'node:crypto';

import { ConflictError, NotFoundError, ValidationError, toError } from '../errors.js';
import type {
  ApiDestinationRecord,
  ConnectionHttpParametersRecord,
  ConnectionParameterRecord,
  ConnectionRecord,
  PageRequest,
  Store,
} from '../store/store.js';
import type { ArnContext } from './arns.js';
import type {
  ApiDestinationDescription,
  ConnectionAuthInput,
  ConnectionDescription,
  ConnectionHttpParameters,
  ConnectionHttpParametersInput,
  ConnectionService,
  ConnectionStateResult,
  ConnectionTokenClient,
  HttpParameter,
  HttpParameterInput,
  ResolvedApiDestination,
  ResolvedConnection,
} from './connection-types.js';
import type { PageInput } from './types.js';

export type * from './connection-types.js';

/** What the service needs of the keyring (auth/access-keys.ts). */
export interface SecretSealer {
  sealSecret(context: string, plaintext: string): Promise<string>;
  openSecret(context: string, sealed: string): Promise<string>;
}

export interface ConnectionServiceOptions extends ArnContext {
  /** Authorises OAuth connections (delivery/oauth-tokens.ts). */
  readonly tokens: ConnectionTokenClient;
  /** Where background failures are reported; never given a secret. */
  readonly log?: { warn(details: object, message: string): void };
  /** How long a resolved API destination is reused before the store is read again (ms). */
  readonly resolveTtlMs?: number;
  readonly now?: () => number;
}

/** InvocationRateLimitPerSecond when CreateApiDestination omits it (as AWS answers, reference §6). */
export const DEFAULT_INVOCATION_RATE_LIMIT = 300;
const DEFAULT_PAGE_SIZE = 100;
/** The longest StateReason the model allows. */
const MAX_STATE_REASON = 512;
/** Resolved destinations kept at most; beyond, the cache starts over (bounded memory). */
const MAX_RESOLVED_ENTRIES = 10_000;
const SECRET_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The sealed part of a connection: its credentials and its parameter lists with every value. */
interface ConnectionSecrets {
  password?: string;
  apiKeyValue?: string;
  clientSecret?: string;
  oauthHttpParameters?: ConnectionHttpParameters;
  invocationHttpParameters?: ConnectionHttpParameters;
}

/** Every auth parameter, secrets included, as the service works on them between store and answers. */
interface FullAuth {
  basic?: { username: string; password?: string };
  apiKey?: { name: string; value?: string };
  oauth?: {
    clientId: string;
    clientSecret?: string;
    authorizationEndpoint: string;
    httpMethod: 'GET' | 'POST' | 'PUT';
    httpParameters?: ConnectionHttpParameters;
  };
  invocationHttpParameters?: ConnectionHttpParameters;
}

const BLOCK_NAMES = {
  BASIC: 'BasicAuthParameters',
  API_KEY: 'ApiKeyAuthParameters',
  OAUTH_CLIENT_CREDENTIALS: 'OAuthParameters',
} as const;

function connectionNotFound(name: string): NotFoundError {
  return new NotFoundError(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
}

function apiDestinationNotFound(name: string): NotFoundError {
  return new NotFoundError(
    `Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`,
  );
}

function page(input: PageInput): PageRequest {
  const limit = input.limit ?? DEFAULT_PAGE_SIZE;
  return input.nextToken === undefined ? { limit } : { nextToken: input.nextToken, limit };
}

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:events:[a-z0-9-]*:\d{0,12}:connection\/([.\-_A-Za-z0-9]+)\/[-A-Za-z0-9]+$/;
const API_DESTINATION_ARN =
  /^arn:aws[a-z-]*:events:[a-z0-9-]*:\d{0,12}:api-destination\/([.\-_A-Za-z0-9]+)\/[-A-Za-z0-9]+$/;

/** The connection name in a connection ARN, or undefined for anything else. */
export function connectionNameOf(arn: string): string | undefined {
  return CONNECTION_ARN.exec(arn)?.[1];
}

/** The API destination name in an API destination ARN, or undefined for anything else. */
export function apiDestinationNameOf(arn: string): string | undefined {
  return API_DESTINATION_ARN.exec(arn)?.[1];
}

/** http(s) only: AWS requires HTTPS; Busway also takes http so local endpoints work (documented). */
function checkHttpUrl(value: string, member: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ValidationError(`${member} must be an https:// (or, for local endpoints, http://) URL.`);
  }
}

/** A copy of `record` without `keys` (absent, not undefined-valued). */
function omit<T extends object, K extends keyof T>(record: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...record };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

// --- parameter lists ------------------------------------------------------------------------------------

function parameterList(items: HttpParameterInput[] | undefined, member: string): HttpParameter[] | undefined {
  if (items === undefined) return undefined;
  return items.map((item, index) => {
    if (item.key === undefined || item.key === '') {
      throw new ValidationError(`${member}[${index}] needs a Key.`);
    }
    return { key: item.key, value: item.value ?? '', isValueSecret: item.isValueSecret ?? false };
  });
}

/** Lists given in `input` replace those of `current`; lists not given are kept. */
function mergeParameters(
  current: ConnectionHttpParameters | undefined,
  input: ConnectionHttpParametersInput | undefined,
  member: string,
): ConnectionHttpParameters | undefined {
  if (input === undefined) return current;
  const merged: ConnectionHttpParameters = { ...current };
  const header = parameterList(input.headerParameters, `${member}.HeaderParameters`);
  const query = parameterList(input.queryStringParameters, `${member}.QueryStringParameters`);
  const body = parameterList(input.bodyParameters, `${member}.BodyParameters`);
  if (header !== undefined) merged.headerParameters = header;
  if (query !== undefined) merged.queryStringParameters = query;
  if (body !== undefined) merged.bodyParameters = body;
  return merged;
}

function publicParameters(parameters: ConnectionHttpParameters): ConnectionHttpParametersRecord {
  const strip = (list: HttpParameter[]): ConnectionParameterRecord[] =>
    list.map((item) =>
      item.isValueSecret
        ? { key: item.key, isValueSecret: true }
        : { key: item.key, value: item.value, isValueSecret: false },
    );
  return {
    ...(parameters.headerParameters && { headerParameters: strip(parameters.headerParameters) }),
    ...(parameters.queryStringParameters && {
      queryStringParameters: strip(parameters.queryStringParameters),
    }),
    ...(parameters.bodyParameters && { bodyParameters: strip(parameters.bodyParameters) }),
  };
}

/** The lists with every secret value emptied (DeauthorizeConnection). */
function withoutSecretValues(parameters: ConnectionHttpParameters): ConnectionHttpParameters {
  const wipe = (list: HttpParameter[]): HttpParameter[] =>
    list.map((item) => (item.isValueSecret ? { ...item, value: '' } : item));
  return {
    ...(parameters.headerParameters && { headerParameters: wipe(parameters.headerParameters) }),
    ...(parameters.queryStringParameters && {
      queryStringParameters: wipe(parameters.queryStringParameters),
    }),
    ...(parameters.bodyParameters && { bodyParameters: wipe(parameters.bodyParameters) }),
  };
}

/** Whether a parameter list holds something worth sealing (a secret value). */
function hasSecretValue(parameters: ConnectionHttpParameters | undefined): boolean {
  if (parameters === undefined) return false;
  return [parameters.headerParameters, parameters.queryStringParameters, parameters.bodyParameters].some(
    (list) => list?.some((item) => item.isValueSecret) ?? false,
  );
}

/** The stored lists back with their values: sealed ones where sealed, else the public ones. */
function fullParameters(
  stored: ConnectionHttpParametersRecord | undefined,
  sealed: ConnectionHttpParameters | undefined,
): ConnectionHttpParameters | undefined {
  if (sealed !== undefined) return sealed;
  if (stored === undefined) return undefined;
  // Without a sealed copy no value was secret (or the secrets were wiped): secret ones stay empty.
  const fill = (list: ConnectionParameterRecord[]): HttpParameter[] =>
    list.map((item) => ({ key: item.key, value: item.value ?? '', isValueSecret: item.isValueSecret }));
  return {
    ...(stored.headerParameters && { headerParameters: fill(stored.headerParameters) }),
    ...(stored.queryStringParameters && { queryStringParameters: fill(stored.queryStringParameters) }),
    ...(stored.bodyParameters && { bodyParameters: fill(stored.bodyParameters) }),
  };
}

// --- the service ----------------------------------------------------------------------------------------

export function createConnectionService(
  store: Store,
  sealer: SecretSealer,
  options: ConnectionServiceOptions,
): ConnectionService & { start(): Promise<void> } {
  const now = options.now ?? Date.now;
  const resolveTtlMs = options.resolveTtlMs ?? 1000;
  const prefix = `arn:aws:events:${options.region}:${options.accountId}`;
  const pending = new Set<Promise<void>>();
  let closed = false;

  // --- secrets ----------------------------------------------------------------------------------------
  async function openSecrets(record: ConnectionRecord): Promise<ConnectionSecrets> {
    if (record.sealedSecret === undefined) return {};
    return JSON.parse(await sealer.openSecret(record.arn, record.sealedSecret)) as ConnectionSecrets;
  }

  async function fullAuthOf(record: ConnectionRecord): Promise<FullAuth> {
    const secrets = await openSecrets(record);
    const stored = record.authParameters;
    const full: FullAuth = {};
    if (stored.basic !== undefined) {
      full.basic = { username: stored.basic.username };
      if (secrets.password !== undefined) full.basic.password = secrets.password;
    }
    if (stored.apiKey !== undefined) {
      full.apiKey = { name: stored.apiKey.name };
      if (secrets.apiKeyValue !== undefined) full.apiKey.value = secrets.apiKeyValue;
    }
    if (stored.oauth !== undefined) {
      const { httpParameters, ...rest } = stored.oauth;
      full.oauth = { ...rest };
      if (secrets.clientSecret !== undefined) full.oauth.clientSecret = secrets.clientSecret;
      const parameters = fullParameters(httpParameters, secrets.oauthHttpParameters);
      if (parameters !== undefined) full.oauth.httpParameters = parameters;
    }
    const invocation = fullParameters(stored.invocationHttpParameters, secrets.invocationHttpParameters);
    if (invocation !== undefined) full.invocationHttpParameters = invocation;
    return full;
  }

  /** Splits full auth into the record's public part and its sealed secret (absent when nothing is). */
  async function splitAuth(
    arn: string,
    full: FullAuth,
  ): Promise<{ authParameters: ConnectionRecord['authParameters']; sealedSecret?: string }> {
    const authParameters: ConnectionRecord['authParameters'] = {};
    const secrets: ConnectionSecrets = {};
    if (full.basic !== undefined) {
      authParameters.basic = { username: full.basic.username };
      if (full.basic.password !== undefined) secrets.password = full.basic.password;
    }
    if (full.apiKey !== undefined) {
      authParameters.apiKey = { name: full.apiKey.name };
      if (full.apiKey.value !== undefined) secrets.apiKeyValue = full.apiKey.value;
    }
    if (full.oauth !== undefined) {
      const { clientSecret, httpParameters, ...rest } = full.oauth;
      authParameters.oauth = {
        ...rest,
        ...(httpParameters !== undefined && { httpParameters: publicParameters(httpParameters) }),
      };
      if (clientSecret !== undefined) secrets.clientSecret = clientSecret;
      if (httpParameters !== undefined && hasSecretValue(httpParameters)) {
        secrets.oauthHttpParameters = httpParameters;
      }
    }
    if (full.invocationHttpParameters !== undefined) {
      authParameters.invocationHttpParameters = publicParameters(full.invocationHttpParameters);
      if (hasSecretValue(full.invocationHttpParameters)) {
        secrets.invocationHttpParameters = full.invocationHttpParameters;
      }
    }
    if (Object.keys(secrets).length === 0) return { authParameters };
    return { authParameters, sealedSecret: await sealer.sealSecret(arn, JSON.stringify(secrets)) };
  }

  /** Whether the credentials of the connection's type are all there (not wiped by Deauthorize). */
  function hasCredentials(type: ConnectionRecord['authorizationType'], full: FullAuth): boolean {
    switch (type) {
      case 'BASIC':
        return full.basic?.password !== undefined;
      case 'API_KEY':
        return full.apiKey?.value !== undefined;
      case 'OAUTH_CLIENT_CREDENTIALS':
        return full.oauth?.clientSecret !== undefined;
    }
  }

  function resolvedConnectionOf(record: ConnectionRecord, full: FullAuth): ResolvedConnection {
    const resolved: ResolvedConnection = {
      arn: record.arn,
      name: record.name,
      state: record.state,
      authorizationType: record.authorizationType,
    };
    if (full.basic !== undefined && full.basic.password !== undefined) {
      resolved.basic = { username: full.basic.username, password: full.basic.password };
    }
    if (full.apiKey !== undefined && full.apiKey.value !== undefined) {
      resolved.apiKey = { name: full.apiKey.name, value: full.apiKey.value };
    }
    if (full.oauth !== undefined && full.oauth.clientSecret !== undefined) {
      const { httpParameters, clientSecret, ...rest } = full.oauth;
      resolved.oauth = { ...rest, clientSecret, ...(httpParameters !== undefined && { httpParameters }) };
    }
    if (full.invocationHttpParameters !== undefined) {
      resolved.invocationHttpParameters = full.invocationHttpParameters;
    }
    return resolved;
  }

  // --- answers ----------------------------------------------------------------------------------------
  function stateResult(record: ConnectionRecord, state = record.state): ConnectionStateResult {
    return {
      arn: record.arn,
      state,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(record.lastAuthorizedAt !== undefined && { lastAuthorizedAt: record.lastAuthorizedAt }),
    };
  }

  function describe(record: ConnectionRecord): ConnectionDescription {
    // The record holds no secret (splitAuth), so it is shown as stored.
    return {
      arn: record.arn,
      name: record.name,
      ...(record.description !== undefined && { description: record.description }),
      state: record.state,
      ...(record.stateReason !== undefined && { stateReason: record.stateReason }),
      authorizationType: record.authorizationType,
      secretArn: record.secretArn,
      ...(record.kmsKeyIdentifier !== undefined && { kmsKeyIdentifier: record.kmsKeyIdentifier }),
      authParameters: record.authParameters,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(record.lastAuthorizedAt !== undefined && { lastAuthorizedAt: record.lastAuthorizedAt }),
    };
  }

  async function requireConnection(name: string): Promise<ConnectionRecord> {
    const record = await store.getConnection(name);
    if (record === undefined) throw connectionNotFound(name);
    return record;
  }

  async function connectionByArn(arn: string): Promise<ConnectionRecord | undefined> {
    const name = connectionNameOf(arn);
    if (name === undefined) return undefined;
    const record = await store.getConnection(name);
    return record?.arn === arn ? record : undefined;
  }

  async function describeDestination(
    record: ApiDestinationRecord,
    connections: Map<string, ConnectionRecord | undefined> = new Map(),
  ): Promise<ApiDestinationDescription> {
    if (!connections.has(record.connectionArn)) {
      connections.set(record.connectionArn, await connectionByArn(record.connectionArn));
    }
    const connection = connections.get(record.connectionArn);
    return { ...record, state: connection?.state === 'AUTHORIZED' ? 'ACTIVE' : 'INACTIVE' };
  }

  // --- the resolve cache ------------------------------------------------------------------------------
  // Every change made here clears it whole: one connection change affects all its destinations, and
  // changes are rare next to deliveries. Changes by other processes show within resolveTtlMs.
  const resolved = new Map<string, { at: number; value: Promise<ResolvedApiDestination | undefined> }>();

  function changed(connectionArn?: string): void {
    resolved.clear();
    if (connectionArn !== undefined) options.tokens.invalidate(connectionArn);
  }

  async function loadResolved(arn: string): Promise<ResolvedApiDestination | undefined> {
    const name = apiDestinationNameOf(arn);
    if (name === undefined) return undefined;
    const destination = await store.getApiDestination(name);
    if (destination === undefined || destination.arn !== arn) return undefined;
    const connection = await connectionByArn(destination.connectionArn);
    if (connection === undefined) return undefined;
    return {
      arn: destination.arn,
      name: destination.name,
      state: connection.state === 'AUTHORIZED' ? 'ACTIVE' : 'INACTIVE',
      invocationEndpoint: destination.invocationEndpoint,
      httpMethod: destination.httpMethod,
      invocationRateLimitPerSecond: destination.invocationRateLimitPerSecond,
      connection: resolvedConnectionOf(connection, await fullAuthOf(connection)),
    };
  }

  // --- background authorization of OAuth connections --------------------------------------------------
  function authorizeInBackground(record: ConnectionRecord): void {
    if (closed) return;
    const work = (async () => {
      let next: ConnectionRecord;
      try {
        const full = await fullAuthOf(record);
        await options.tokens.getToken(resolvedConnectionOf(record, full), { refresh: true });
        next = { ...omit(record, 'stateReason'), state: 'AUTHORIZED', lastAuthorizedAt: now() };
      } catch (error) {
        const reason = toError(error).message;
        options.log?.warn(
          { connection: record.name, reason },
          'OAuth connection could not be authorized: the token request failed',
        );
        next = {
          ...record,
          state: 'DEAUTHORIZED',
          stateReason:
            reason.length > MAX_STATE_REASON ? `${reason.slice(0, MAX_STATE_REASON - 3)}...` : reason,
        };
      }
      // Only over the row this authorization started from: an update or delete meanwhile wins.
      const outcome = await store.updateConnection(next, {
        state: 'AUTHORIZING',
        updatedAt: record.updatedAt,
      });
      if (outcome === 'updated') changed();
    })().catch((error: unknown) => {
      options.log?.warn({ connection: record.name, err: toError(error) }, 'OAuth authorization failed');
    });
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  /** The state a connection takes when its auth was (re)given, and the record in that state. */
  function authorizedState(
    type: ConnectionRecord['authorizationType'],
    full: FullAuth,
    at: number,
  ): Pick<ConnectionRecord, 'state'> & { lastAuthorizedAt?: number } {
    if (!hasCredentials(type, full)) return { state: 'DEAUTHORIZED' };
    if (type === 'OAUTH_CLIENT_CREDENTIALS') return { state: 'AUTHORIZING', lastAuthorizedAt: at };
    return { state: 'AUTHORIZED', lastAuthorizedAt: at };
  }

  // --- auth input ---------------------------------------------------------------------------------------
  /** Refuses blocks of other authorization types, which AWS's Create/UpdateConnection do not combine. */
  function checkOnlyBlockOf(type: ConnectionRecord['authorizationType'], auth: ConnectionAuthInput): void {
    const given = (['BASIC', 'API_KEY', 'OAUTH_CLIENT_CREDENTIALS'] as const).filter(
      (candidate) =>
        candidate !== type &&
        auth[candidate === 'BASIC' ? 'basic' : candidate === 'API_KEY' ? 'apiKey' : 'oauth'] !== undefined,
    );
    if (given.length > 0) {
      throw new ValidationError(
        `AuthParameters may only contain ${BLOCK_NAMES[type]} for AuthorizationType ${type}, ` +
          `not ${given.map((other) => BLOCK_NAMES[other]).join(', ')}.`,
      );
    }
  }

  /** The new full auth: `input` over `current` (create: current is empty and the block must be whole). */
  function mergeAuth(
    type: ConnectionRecord['authorizationType'],
    current: FullAuth,
    input: ConnectionAuthInput,
  ): FullAuth {
    const missing = (member: string): ValidationError =>
      new ValidationError(
        `AuthParameters.${BLOCK_NAMES[type]}.${member} must be specified for AuthorizationType ${type}.`,
      );
    const next: FullAuth = {};
    const invocation = mergeParameters(
      current.invocationHttpParameters,
      input.invocationHttpParameters,
      'InvocationHttpParameters',
    );
    if (invocation !== undefined) next.invocationHttpParameters = invocation;
    switch (type) {
      case 'BASIC': {
        const username = input.basic?.username ?? current.basic?.username;
        if (username === undefined) throw missing('Username');
        const password = input.basic?.password ?? current.basic?.password;
        next.basic = { username, ...(password !== undefined && { password }) };
        break;
      }
      case 'API_KEY': {
        const name = input.apiKey?.name ?? current.apiKey?.name;
        if (name === undefined) throw missing('ApiKeyName');
        const value = input.apiKey?.value ?? current.apiKey?.value;
        next.apiKey = { name, ...(value !== undefined && { value }) };
        break;
      }
      case 'OAUTH_CLIENT_CREDENTIALS': {
        const oauth = input.oauth;
        const clientId = oauth?.clientId ?? current.oauth?.clientId;
        if (clientId === undefined) throw missing('ClientParameters.ClientID');
        const authorizationEndpoint = oauth?.authorizationEndpoint ?? current.oauth?.authorizationEndpoint;
        if (authorizationEndpoint === undefined) throw missing('AuthorizationEndpoint');
        checkHttpUrl(authorizationEndpoint, 'AuthorizationEndpoint');
        const httpMethod = oauth?.httpMethod ?? current.oauth?.httpMethod;
        if (httpMethod === undefined) throw missing('HttpMethod');
        const clientSecret = oauth?.clientSecret ?? current.oauth?.clientSecret;
        const httpParameters = mergeParameters(
          current.oauth?.httpParameters,
          oauth?.httpParameters,
          'OAuthParameters.OAuthHttpParameters',
        );
        next.oauth = {
          clientId,
          authorizationEndpoint,
          httpMethod,
          ...(clientSecret !== undefined && { clientSecret }),
          ...(httpParameters !== undefined && { httpParameters }),
        };
        break;
      }
    }
    return next;
  }

  function newSecretArn(name: string, uuid: string): string {
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += SECRET_SUFFIX_ALPHABET[randomInt(SECRET_SUFFIX_ALPHABET.length)];
    return `arn:aws:secretsmanager:${options.region}:${options.accountId}:secret:events!connection/${name}/${uuid}-${suffix}`;
  }

  const service: ConnectionService & { start(): Promise<void> } = {
    async start() {
      // Connections left AUTHORIZING by a stopped server get their authorization now.
      let nextToken: string | undefined;
      do {
        const result = await store.listConnections(
          { state: 'AUTHORIZING' },
          nextToken === undefined ? { limit: 100 } : { limit: 100, nextToken },
        );
        for (const record of result.items) authorizeInBackground(record);
        nextToken = result.nextToken;
      } while (nextToken !== undefined);
    },

    async createConnection(input) {
      checkOnlyBlockOf(input.authorizationType, input.authParameters);
      const full = mergeAuth(input.authorizationType, {}, input.authParameters);
      const uuid = randomUUID();
      const arn = `${prefix}:connection/${input.name}/${uuid}`;
      const at = now();
      const record: ConnectionRecord = {
        name: input.name,
        arn,
        ...(input.description !== undefined && { description: input.description }),
        authorizationType: input.authorizationType,
        ...authorizedState(input.authorizationType, full, at),
        secretArn: newSecretArn(input.name, uuid),
        ...(input.kmsKeyIdentifier !== undefined && { kmsKeyIdentifier: input.kmsKeyIdentifier }),
        ...(await splitAuth(arn, full)),
        createdAt: at,
        updatedAt: at,
      };
      if ((await store.createConnection(record)) === 'exists') {
        throw new ConflictError(`Connection ${input.name} already exists.`);
      }
      changed();
      if (record.state === 'AUTHORIZING') authorizeInBackground(record);
      // AWS's CreateConnection answer has no LastAuthorizedTime [R].
      return omit(stateResult(record), 'lastAuthorizedAt');
    },

    async describeConnection(name) {
      return describe(await requireConnection(name));
    },

    async updateConnection(input) {
      const current = await requireConnection(input.name);
      const type = input.authorizationType ?? current.authorizationType;
      const authGiven = input.authParameters !== undefined || input.authorizationType !== undefined;
      let record: ConnectionRecord = {
        ...current,
        ...(input.description !== undefined && { description: input.description }),
        ...(input.kmsKeyIdentifier !== undefined && { kmsKeyIdentifier: input.kmsKeyIdentifier }),
        updatedAt: Math.max(now(), current.updatedAt + 1),
      };
      if (authGiven) {
        const auth = input.authParameters ?? {};
        checkOnlyBlockOf(type, auth);
        // A new type starts from nothing but the invocation parameters, which every type has.
        const currentFull = await fullAuthOf(current);
        const base: FullAuth =
          type === current.authorizationType
            ? currentFull
            : currentFull.invocationHttpParameters === undefined
              ? {}
              : { invocationHttpParameters: currentFull.invocationHttpParameters };
        const full = mergeAuth(type, base, auth);
        const rest = omit(record, 'stateReason', 'lastAuthorizedAt', 'sealedSecret');
        const state = authorizedState(type, full, record.updatedAt);
        record = {
          ...rest,
          authorizationType: type,
          ...state,
          ...(state.lastAuthorizedAt === undefined &&
            current.lastAuthorizedAt !== undefined && { lastAuthorizedAt: current.lastAuthorizedAt }),
          ...(await splitAuth(current.arn, full)),
        };
      }
      const outcome = await store.updateConnection(record);
      if (outcome !== 'updated') throw connectionNotFound(input.name);
      changed(current.arn);
      if (record.state === 'AUTHORIZING') authorizeInBackground(record);
      return stateResult(record);
    },

    async deleteConnection(name) {
      const current = await requireConnection(name);
      const outcome = await store.deleteConnection(name);
      if (outcome === 'not-found') throw connectionNotFound(name);
      if (outcome === 'in-use') {
        const users = await store.listApiDestinations({ connectionArn: current.arn }, { limit: 5 });
        const names = users.items.map((item) => item.name).join(', ');
        throw new ValidationError(
          `Connection ${name} is used by API destination(s) ${names}${users.nextToken === undefined ? '' : ', ...'}: ` +
            'delete them or move them to another connection (UpdateApiDestination) first.',
        );
      }
      changed(current.arn);
      return stateResult(current, 'DELETING');
    },

    async listConnections(input) {
      const result = await store.listConnections(
        {
          ...(input.namePrefix !== undefined && { namePrefix: input.namePrefix }),
          ...(input.state !== undefined && { state: input.state }),
        },
        page(input),
      );
      return {
        items: result.items.map(describe),
        ...(result.nextToken !== undefined && { nextToken: result.nextToken }),
      };
    },

    async deauthorizeConnection(name) {
      const current = await requireConnection(name);
      const full = await fullAuthOf(current);
      // The credentials go; the invocation parameters (not authorization) stay.
      const wiped: FullAuth = {
        ...(full.basic && { basic: { username: full.basic.username } }),
        ...(full.apiKey && { apiKey: { name: full.apiKey.name } }),
        ...(full.oauth && {
          oauth: {
            clientId: full.oauth.clientId,
            authorizationEndpoint: full.oauth.authorizationEndpoint,
            httpMethod: full.oauth.httpMethod,
            ...(full.oauth.httpParameters && {
              httpParameters: withoutSecretValues(full.oauth.httpParameters),
            }),
          },
        }),
        ...(full.invocationHttpParameters && { invocationHttpParameters: full.invocationHttpParameters }),
      };
      const rest = omit(current, 'stateReason', 'sealedSecret');
      const record: ConnectionRecord = {
        ...rest,
        state: 'DEAUTHORIZED',
        updatedAt: Math.max(now(), current.updatedAt + 1),
        ...(await splitAuth(current.arn, wiped)),
      };
      if ((await store.updateConnection(record)) !== 'updated') throw connectionNotFound(name);
      changed(current.arn);
      return stateResult(record, 'DEAUTHORIZING');
    },

    async createApiDestination(input) {
      checkHttpUrl(input.invocationEndpoint, 'InvocationEndpoint');
      const at = now();
      const record: ApiDestinationRecord = {
        name: input.name,
        arn: `${prefix}:api-destination/${input.name}/${randomUUID()}`,
        ...(input.description !== undefined && { description: input.description }),
        connectionArn: input.connectionArn,
        invocationEndpoint: input.invocationEndpoint,
        httpMethod: input.httpMethod,
        invocationRateLimitPerSecond: input.invocationRateLimitPerSecond ?? DEFAULT_INVOCATION_RATE_LIMIT,
        createdAt: at,
        updatedAt: at,
      };
      const outcome = await store.createApiDestination(record);
      if (outcome === 'exists') throw new ConflictError(`An api-destination '${input.name}' already exists.`);
      if (outcome === 'no-connection') {
        throw new NotFoundError(`Connection '${input.connectionArn}' does not exist.`);
      }
      changed();
      return describeDestination(record);
    },

    async describeApiDestination(name) {
      const record = await store.getApiDestination(name);
      if (record === undefined) throw apiDestinationNotFound(name);
      return describeDestination(record);
    },

    async updateApiDestination(input) {
      const current = await store.getApiDestination(input.name);
      if (current === undefined) throw apiDestinationNotFound(input.name);
      if (input.invocationEndpoint !== undefined)
        checkHttpUrl(input.invocationEndpoint, 'InvocationEndpoint');
      const record: ApiDestinationRecord = {
        ...current,
        ...(input.description !== undefined && { description: input.description }),
        ...(input.connectionArn !== undefined && { connectionArn: input.connectionArn }),
        ...(input.invocationEndpoint !== undefined && { invocationEndpoint: input.invocationEndpoint }),
        ...(input.httpMethod !== undefined && { httpMethod: input.httpMethod }),
        ...(input.invocationRateLimitPerSecond !== undefined && {
          invocationRateLimitPerSecond: input.invocationRateLimitPerSecond,
        }),
        updatedAt: Math.max(now(), current.updatedAt + 1),
      };
      const outcome = await store.updateApiDestination(record);
      if (outcome === 'not-found') throw apiDestinationNotFound(input.name);
      if (outcome === 'no-connection') {
        throw new NotFoundError(`Connection '${record.connectionArn}' does not exist.`);
      }
      changed();
      return describeDestination(record);
    },

    async deleteApiDestination(name) {
      if ((await store.deleteApiDestination(name)) === 'not-found') throw apiDestinationNotFound(name);
      changed();
    },

    async listApiDestinations(input) {
      const result = await store.listApiDestinations(
        {
          ...(input.namePrefix !== undefined && { namePrefix: input.namePrefix }),
          ...(input.connectionArn !== undefined && { connectionArn: input.connectionArn }),
        },
        page(input),
      );
      const connections = new Map<string, ConnectionRecord | undefined>();
      const items: ApiDestinationDescription[] = [];
      for (const item of result.items) items.push(await describeDestination(item, connections));
      return { items, ...(result.nextToken !== undefined && { nextToken: result.nextToken }) };
    },

    resolveApiDestination(arn) {
      const at = Date.now();
      const cached = resolved.get(arn);
      if (cached !== undefined && at - cached.at < resolveTtlMs) return cached.value;
      if (resolved.size >= MAX_RESOLVED_ENTRIES) resolved.clear();
      const value = loadResolved(arn);
      const entry = { at, value };
      resolved.set(arn, entry);
      // A failed read is not kept: the next call tries again.
      value.catch(() => {
        if (resolved.get(arn) === entry) resolved.delete(arn);
      });
      return value;
    },

    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },

    async close() {
      closed = true;
      await service.settled();
    },
  };
  return service;
}
