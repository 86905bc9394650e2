/**
 * Connections and API destinations in domain terms (reference §6). The API layer
 * (api/operations/connections.ts) maps AWS's wire members to these; the delivery engine reads a
 * destination through `resolveApiDestination`, which gives it everything a call needs, secrets decrypted.
 *
 * Descriptions (`ConnectionDescription`) never hold a secret: no password, API key value, client secret,
 * nor the value of a parameter marked `isValueSecret`.
 */
import type {
  ApiDestinationHttpMethod,
  ApiDestinationRecord,
  ConnectionAuthorizationType,
  ConnectionParameterRecord,
  ConnectionState,
  Page,
} from '../store/store.js';
import type { PageInput } from './types.js';

export type { ApiDestinationHttpMethod, ConnectionAuthorizationType, ConnectionState };

export interface HttpParameter {
  key: string;
  value: string;
  isValueSecret: boolean;
}

export interface ConnectionHttpParameters {
  headerParameters?: HttpParameter[];
  queryStringParameters?: HttpParameter[];
  bodyParameters?: HttpParameter[];
}

/** A connection with its secrets in clear, for the code that calls the API (never for an answer). */
export interface ResolvedConnection {
  arn: string;
  name: string;
  state: ConnectionState;
  authorizationType: 'BASIC' | 'API_KEY' | 'OAUTH_CLIENT_CREDENTIALS';
  basic?: { username: string; password: string };
  apiKey?: { name: string; value: string };
  oauth?: {
    authorizationEndpoint: string;
    httpMethod: 'GET' | 'POST' | 'PUT';
    clientId: string;
    clientSecret: string;
    httpParameters?: ConnectionHttpParameters;
  };
  invocationHttpParameters?: ConnectionHttpParameters; // secret values decrypted
}

export interface ResolvedApiDestination {
  arn: string;
  name: string;
  state: 'ACTIVE' | 'INACTIVE';
  invocationEndpoint: string;
  httpMethod: 'POST' | 'GET' | 'HEAD' | 'OPTIONS' | 'PUT' | 'PATCH' | 'DELETE';
  invocationRateLimitPerSecond: number;
  connection: ResolvedConnection;
}

/** A parameter as a Create/UpdateConnection request gives it (the model makes every member optional). */
export interface HttpParameterInput {
  key?: string;
  value?: string;
  isValueSecret?: boolean;
}

export interface ConnectionHttpParametersInput {
  headerParameters?: HttpParameterInput[];
  queryStringParameters?: HttpParameterInput[];
  bodyParameters?: HttpParameterInput[];
}

/**
 * AuthParameters of Create/UpdateConnection. On create, the block of the authorization type must be
 * complete; on update, members given replace the stored ones and the others are kept.
 */
export interface ConnectionAuthInput {
  basic?: { username?: string; password?: string };
  apiKey?: { name?: string; value?: string };
  oauth?: {
    clientId?: string;
    clientSecret?: string;
    authorizationEndpoint?: string;
    httpMethod?: 'GET' | 'POST' | 'PUT';
    httpParameters?: ConnectionHttpParametersInput;
  };
  invocationHttpParameters?: ConnectionHttpParametersInput;
}

export interface CreateConnectionInput {
  name: string;
  description?: string;
  authorizationType: ConnectionAuthorizationType;
  authParameters: ConnectionAuthInput;
  kmsKeyIdentifier?: string;
}

export interface UpdateConnectionInput {
  name: string;
  description?: string;
  authorizationType?: ConnectionAuthorizationType;
  authParameters?: ConnectionAuthInput;
  kmsKeyIdentifier?: string;
}

/** What Create/Update/Delete/DeauthorizeConnection answer. */
export interface ConnectionStateResult {
  arn: string;
  state: ConnectionState;
  createdAt: number;
  updatedAt: number;
  lastAuthorizedAt?: number;
}

/** Parameters as Describe shows them: the value of a secret one is left out. */
export interface ConnectionHttpParametersDescription {
  headerParameters?: ConnectionParameterRecord[];
  queryStringParameters?: ConnectionParameterRecord[];
  bodyParameters?: ConnectionParameterRecord[];
}

/** DescribeConnection / ListConnections: everything but the secrets. */
export interface ConnectionDescription {
  arn: string;
  name: string;
  description?: string;
  state: ConnectionState;
  stateReason?: string;
  authorizationType: ConnectionAuthorizationType;
  secretArn: string;
  kmsKeyIdentifier?: string;
  authParameters: {
    basic?: { username: string };
    apiKey?: { name: string };
    oauth?: {
      clientId: string;
      authorizationEndpoint: string;
      httpMethod: 'GET' | 'POST' | 'PUT';
      httpParameters?: ConnectionHttpParametersDescription;
    };
    invocationHttpParameters?: ConnectionHttpParametersDescription;
  };
  createdAt: number;
  updatedAt: number;
  lastAuthorizedAt?: number;
}

export interface CreateApiDestinationInput {
  name: string;
  description?: string;
  connectionArn: string;
  invocationEndpoint: string;
  httpMethod: ApiDestinationHttpMethod;
  /** Defaults to 300. */
  invocationRateLimitPerSecond?: number;
}

export interface UpdateApiDestinationInput {
  name: string;
  description?: string;
  connectionArn?: string;
  invocationEndpoint?: string;
  httpMethod?: ApiDestinationHttpMethod;
  invocationRateLimitPerSecond?: number;
}

/** An API destination with its state, which follows its connection's. */
export interface ApiDestinationDescription extends ApiDestinationRecord {
  state: 'ACTIVE' | 'INACTIVE';
}

/**
 * What the connection service needs from the OAuth token client (delivery/oauth-tokens.ts implements
 * it): fetching a token is how an OAuth connection is authorised; a change to a connection drops its
 * cached token.
 */
export interface ConnectionTokenClient {
  getToken(connection: ResolvedConnection, options?: { refresh?: boolean }): Promise<string>;
  invalidate(connectionArn: string): void;
}

export interface ConnectionService {
  createConnection(input: CreateConnectionInput): Promise<ConnectionStateResult>;
  describeConnection(name: string): Promise<ConnectionDescription>;
  updateConnection(input: UpdateConnectionInput): Promise<ConnectionStateResult>;
  /** Answers DELETING; refuses (ValidationError) while an API destination uses the connection. */
  deleteConnection(name: string): Promise<ConnectionStateResult>;
  listConnections(
    input: PageInput & { namePrefix?: string; state?: ConnectionState },
  ): Promise<Page<ConnectionDescription>>;
  /** Wipes the auth secrets: answers DEAUTHORIZING, the connection is then DEAUTHORIZED. */
  deauthorizeConnection(name: string): Promise<ConnectionStateResult>;

  createApiDestination(input: CreateApiDestinationInput): Promise<ApiDestinationDescription>;
  describeApiDestination(name: string): Promise<ApiDestinationDescription>;
  updateApiDestination(input: UpdateApiDestinationInput): Promise<ApiDestinationDescription>;
  deleteApiDestination(name: string): Promise<void>;
  listApiDestinations(
    input: PageInput & { namePrefix?: string; connectionArn?: string },
  ): Promise<Page<ApiDestinationDescription>>;

  /**
   * The destination with its connection, secrets decrypted, for the delivery engine; undefined when no
   * API destination has this ARN. Cached in memory: a change made through this service is seen at once,
   * one made by another process within a second.
   */
  resolveApiDestination(arn: string): Promise<ResolvedApiDestination | undefined>;
  /** Resolves when the background authorizations started so far have ended (tests, shutdown). */
  settled(): Promise<void>;
  /** Stops starting background work; in-flight authorizations are awaited. */
  close(): Promise<void>;
}
