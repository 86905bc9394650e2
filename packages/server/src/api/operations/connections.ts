/**
 * The connection and API destination operations of EventBridge (`AWSEvents.*Connection*`,
 * `AWSEvents.*ApiDestination*`) on the wire: input members checked against the service model's
 * constraints with AWS's messages (botocore `events/2015-10-07/service-2.json`; recorded texts in
 * ../shared/conformance/aws-errors.json), mapped to the ConnectionService's camelCase inputs, and the
 * results mapped back to the model's output members. Rules of the operations (which auth block a type
 * needs, a connection in use, secrets) are the domain's (bus/connections.ts).
 *
 * No answer carries a secret: the domain's descriptions hold none, and the writers below only know the
 * members Describe shows (Username, ApiKeyName, ClientID, endpoint, method, parameters without the
 * values marked IsValueSecret).
 */
import type {
  ApiDestinationDescription,
  ConnectionAuthInput,
  ConnectionDescription,
  ConnectionHttpParametersDescription,
  ConnectionHttpParametersInput,
  ConnectionService,
  ConnectionStateResult,
  HttpParameterInput,
} from '../../bus/connection-types.js';
import { ValidationError } from '../../errors.js';
import type {
  ApiDestinationHttpMethod,
  ConnectionParameterRecord,
  ConnectionState,
} from '../../store/store.js';
import type { OperationHandler } from '../aws-json/protocol.js';
import { memberPath, violation, WireValidator, type StringConstraints } from '../validation.js';
import { defined, epochSeconds, present, type EventsOperationsConfig } from './events.js';

// --- the service model's shapes -----------------------------------------------------------------------

const NAME: StringConstraints = { min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' };
const DESCRIPTION: StringConstraints = { max: 512, pattern: '.*' };
const AUTHORIZATION_TYPE: StringConstraints = { enum: ['BASIC', 'OAUTH_CLIENT_CREDENTIALS', 'API_KEY'] };
const AUTH_HEADER: StringConstraints = {
  min: 1,
  max: 512,
  pattern: '^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$',
};
const HTTPS_ENDPOINT: StringConstraints = {
  min: 1,
  max: 2048,
  pattern: "^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$",
};
const OAUTH_HTTP_METHOD: StringConstraints = { enum: ['GET', 'POST', 'PUT'] };
const HEADER_KEY: StringConstraints = { max: 512, pattern: "^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$" };
const HEADER_VALUE: StringConstraints = {
  max: 512,
  pattern: '^[ \\t]*[\\x20-\\x7E]+([ \\t]+[\\x20-\\x7E]+)*[ \\t]*$',
};
const QUERY_STRING_KEY: StringConstraints = { max: 512, pattern: '[^\\x00-\\x1F\\x7F]+' };
const QUERY_STRING_VALUE: StringConstraints = {
  max: 512,
  pattern: '[^\\x00-\\x09\\x0B\\x0C\\x0E-\\x1F\\x7F]+',
};
const PARAMETER_LIST = { min: 0, max: 100 };
const KMS_KEY_IDENTIFIER: StringConstraints = { max: 2048, pattern: '^[a-zA-Z0-9_\\-/:]*$' };
/**
 * ConnectionArn's model pattern, printed as AWS prints it. It escapes `-` outside a character class,
 * which a JavaScript regular expression in unicode mode (the validator's) refuses, so it is matched with
 * CONNECTION_ARN_REGEX, the same expression written for JavaScript.
 */
const CONNECTION_ARN_PATTERN =
  '^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$';
const CONNECTION_ARN_REGEX =
  /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:connection\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/;
const CONNECTION_STATE: StringConstraints = {
  enum: [
    'CREATING',
    'UPDATING',
    'DELETING',
    'AUTHORIZED',
    'DEAUTHORIZED',
    'AUTHORIZING',
    'DEAUTHORIZING',
    'ACTIVE',
    'FAILED_CONNECTIVITY',
  ],
};
/** In the order AWS prints it (recorded: create-api-destination-invalid-parameters-error), not the model's. */
const API_DESTINATION_HTTP_METHOD: StringConstraints = {
  enum: ['HEAD', 'POST', 'PATCH', 'DELETE', 'PUT', 'GET', 'OPTIONS'],
};
const RATE_LIMIT = { min: 1 };
const NEXT_TOKEN: StringConstraints = { min: 1, max: 2048 };
const LIMIT = { min: 1, max: 100 };

type AuthorizationType = 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS' | 'API_KEY';

/** The connection and API destination operations, keyed `AWSEvents.<Operation>`. */
export function createConnectionsOperations(
  service: ConnectionService,
  _config: EventsOperationsConfig,
): Map<string, OperationHandler> {
  const operations: Record<string, OperationHandler> = {
    // --- connections ----------------------------------------------------------------------------------
    async CreateConnection(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const authorizationType = v.string(input.AuthorizationType, 'authorizationType', {
        ...AUTHORIZATION_TYPE,
        required: true,
      }) as AuthorizationType | undefined;
      const authParameters = readAuthParameters(v, input.AuthParameters, 'authParameters', true);
      const connectivity = v.object(
        input.InvocationConnectivityParameters,
        'invocationConnectivityParameters',
      );
      const kmsKeyIdentifier = v.string(input.KmsKeyIdentifier, 'kmsKeyIdentifier', KMS_KEY_IDENTIFIER);
      v.throwIfInvalid();
      refuseConnectivity(connectivity, authParameters?.connectivity);
      const result = await service.createConnection(
        defined({
          name: present(name),
          description,
          authorizationType: present(authorizationType),
          authParameters: present(authParameters).auth,
          kmsKeyIdentifier,
        }),
      );
      return connectionStateOut(result);
    },

    async DescribeConnection(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      return connectionOut(await service.describeConnection(present(name)));
    },

    async UpdateConnection(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const authorizationType = v.string(input.AuthorizationType, 'authorizationType', AUTHORIZATION_TYPE) as
        AuthorizationType | undefined;
      const authParameters = readAuthParameters(v, input.AuthParameters, 'authParameters', false);
      const connectivity = v.object(
        input.InvocationConnectivityParameters,
        'invocationConnectivityParameters',
      );
      const kmsKeyIdentifier = v.string(input.KmsKeyIdentifier, 'kmsKeyIdentifier', KMS_KEY_IDENTIFIER);
      v.throwIfInvalid();
      refuseConnectivity(connectivity, authParameters?.connectivity);
      const result = await service.updateConnection(
        defined({
          name: present(name),
          description,
          authorizationType,
          authParameters: authParameters?.auth,
          kmsKeyIdentifier,
        }),
      );
      return connectionStateOut(result);
    },

    async DeleteConnection(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      return connectionStateOut(await service.deleteConnection(present(name)));
    },

    async ListConnections(input) {
      const v = new WireValidator();
      const namePrefix = v.string(input.NamePrefix, 'namePrefix', NAME);
      const state = v.string(input.ConnectionState, 'connectionState', CONNECTION_STATE) as
        ConnectionState | undefined;
      const nextToken = v.string(input.NextToken, 'nextToken', NEXT_TOKEN);
      const limit = v.integer(input.Limit, 'limit', LIMIT);
      v.throwIfInvalid();
      const result = await service.listConnections(defined({ namePrefix, state, nextToken, limit }));
      return {
        Connections: result.items.map((item) => ({
          ConnectionArn: item.arn,
          Name: item.name,
          ConnectionState: item.state,
          StateReason: item.stateReason,
          AuthorizationType: item.authorizationType,
          CreationTime: epochSeconds(item.createdAt),
          LastModifiedTime: epochSeconds(item.updatedAt),
          LastAuthorizedTime: optionalSeconds(item.lastAuthorizedAt),
        })),
        NextToken: result.nextToken,
      };
    },

    async DeauthorizeConnection(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      return connectionStateOut(await service.deauthorizeConnection(present(name)));
    },

    // --- API destinations -----------------------------------------------------------------------------
    async CreateApiDestination(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const connectionArn = readConnectionArn(v, input.ConnectionArn, 'connectionArn', true);
      const invocationEndpoint = v.string(input.InvocationEndpoint, 'invocationEndpoint', {
        ...HTTPS_ENDPOINT,
        required: true,
      });
      const httpMethod = v.string(input.HttpMethod, 'httpMethod', {
        ...API_DESTINATION_HTTP_METHOD,
        required: true,
      }) as ApiDestinationHttpMethod | undefined;
      const invocationRateLimitPerSecond = v.integer(
        input.InvocationRateLimitPerSecond,
        'invocationRateLimitPerSecond',
        RATE_LIMIT,
      );
      v.throwIfInvalid();
      const created = await service.createApiDestination(
        defined({
          name: present(name),
          description,
          connectionArn: present(connectionArn),
          invocationEndpoint: present(invocationEndpoint),
          httpMethod: present(httpMethod),
          invocationRateLimitPerSecond,
        }),
      );
      return apiDestinationStateOut(created);
    },

    async DescribeApiDestination(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      const found = await service.describeApiDestination(present(name));
      return { ...apiDestinationOut(found), Description: found.description };
    },

    async UpdateApiDestination(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const connectionArn = readConnectionArn(v, input.ConnectionArn, 'connectionArn', false);
      const invocationEndpoint = v.string(input.InvocationEndpoint, 'invocationEndpoint', HTTPS_ENDPOINT);
      const httpMethod = v.string(input.HttpMethod, 'httpMethod', API_DESTINATION_HTTP_METHOD) as
        ApiDestinationHttpMethod | undefined;
      const invocationRateLimitPerSecond = v.integer(
        input.InvocationRateLimitPerSecond,
        'invocationRateLimitPerSecond',
        RATE_LIMIT,
      );
      v.throwIfInvalid();
      const updated = await service.updateApiDestination(
        defined({
          name: present(name),
          description,
          connectionArn,
          invocationEndpoint,
          httpMethod,
          invocationRateLimitPerSecond,
        }),
      );
      return apiDestinationStateOut(updated);
    },

    async DeleteApiDestination(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...NAME, required: true });
      v.throwIfInvalid();
      await service.deleteApiDestination(present(name));
    },

    async ListApiDestinations(input) {
      const v = new WireValidator();
      const namePrefix = v.string(input.NamePrefix, 'namePrefix', NAME);
      const connectionArn = readConnectionArn(v, input.ConnectionArn, 'connectionArn', false);
      const nextToken = v.string(input.NextToken, 'nextToken', NEXT_TOKEN);
      const limit = v.integer(input.Limit, 'limit', LIMIT);
      v.throwIfInvalid();
      const result = await service.listApiDestinations(
        defined({ namePrefix, connectionArn, nextToken, limit }),
      );
      return { ApiDestinations: result.items.map(apiDestinationOut), NextToken: result.nextToken };
    },
  };

  return new Map(Object.entries(operations).map(([name, handler]) => [`AWSEvents.${name}`, handler]));
}

// --- readers: wire -> domain --------------------------------------------------------------------------

/** A ConnectionArn member: the pattern first, then the lengths, as the validator orders them. */
function readConnectionArn(
  v: WireValidator,
  value: unknown,
  path: string,
  required: boolean,
): string | undefined {
  if (typeof value === 'string' && !CONNECTION_ARN_REGEX.test(value)) {
    v.add(
      violation(value, path, `Member must satisfy regular expression pattern: ${CONNECTION_ARN_PATTERN}`),
    );
    v.string(value, path, { min: 1, max: 1600 });
    return undefined;
  }
  return v.string(value, path, { min: 1, max: 1600, required });
}

/**
 * AuthParameters of Create (`create`: each block's model-required members are required) or Update
 * (every member optional). `connectivity` reports a ConnectivityParameters member, which Busway refuses.
 */
function readAuthParameters(
  v: WireValidator,
  value: unknown,
  path: string,
  create: boolean,
): { auth: ConnectionAuthInput; connectivity: boolean } | undefined {
  const parameters = v.object(value, path, { required: create });
  if (parameters === undefined) return undefined;
  const required = create;
  const auth: ConnectionAuthInput = {};

  const basic = v.object(parameters.BasicAuthParameters, `${path}.basicAuthParameters`);
  if (basic !== undefined) {
    const at = `${path}.basicAuthParameters`;
    auth.basic = defined({
      username: v.string(basic.Username, `${at}.username`, { ...AUTH_HEADER, required }),
      password: v.string(basic.Password, `${at}.password`, { ...AUTH_HEADER, required }),
    });
  }

  const oauth = v.object(parameters.OAuthParameters, `${path}.oAuthParameters`);
  if (oauth !== undefined) {
    const at = `${path}.oAuthParameters`;
    const client = v.object(oauth.ClientParameters, `${at}.clientParameters`, { required });
    const clientAt = `${at}.clientParameters`;
    const clientId =
      client === undefined
        ? undefined
        : v.string(client.ClientID, `${clientAt}.clientID`, { ...AUTH_HEADER, required });
    const clientSecret =
      client === undefined
        ? undefined
        : v.string(client.ClientSecret, `${clientAt}.clientSecret`, { ...AUTH_HEADER, required });
    auth.oauth = defined({
      clientId,
      clientSecret,
      authorizationEndpoint: v.string(oauth.AuthorizationEndpoint, `${at}.authorizationEndpoint`, {
        ...HTTPS_ENDPOINT,
        required,
      }),
      httpMethod: v.string(oauth.HttpMethod, `${at}.httpMethod`, { ...OAUTH_HTTP_METHOD, required }) as
        'GET' | 'POST' | 'PUT' | undefined,
      httpParameters: readHttpParameters(v, oauth.OAuthHttpParameters, `${at}.oAuthHttpParameters`),
    });
  }

  const apiKey = v.object(parameters.ApiKeyAuthParameters, `${path}.apiKeyAuthParameters`);
  if (apiKey !== undefined) {
    const at = `${path}.apiKeyAuthParameters`;
    auth.apiKey = defined({
      name: v.string(apiKey.ApiKeyName, `${at}.apiKeyName`, { ...AUTH_HEADER, required }),
      value: v.string(apiKey.ApiKeyValue, `${at}.apiKeyValue`, { ...AUTH_HEADER, required }),
    });
  }

  const invocation = readHttpParameters(
    v,
    parameters.InvocationHttpParameters,
    `${path}.invocationHttpParameters`,
  );
  if (invocation !== undefined) auth.invocationHttpParameters = invocation;
  const connectivity =
    v.object(parameters.ConnectivityParameters, `${path}.connectivityParameters`) !== undefined;
  return { auth, connectivity };
}

function readHttpParameters(
  v: WireValidator,
  value: unknown,
  path: string,
): ConnectionHttpParametersInput | undefined {
  const parameters = v.object(value, path);
  if (parameters === undefined) return undefined;
  return defined({
    headerParameters: readParameterList(v, parameters.HeaderParameters, `${path}.headerParameters`, {
      key: HEADER_KEY,
      value: HEADER_VALUE,
    }),
    queryStringParameters: readParameterList(
      v,
      parameters.QueryStringParameters,
      `${path}.queryStringParameters`,
      { key: QUERY_STRING_KEY, value: QUERY_STRING_VALUE },
    ),
    bodyParameters: readParameterList(v, parameters.BodyParameters, `${path}.bodyParameters`, {
      key: {},
      value: {},
    }),
  });
}

function readParameterList(
  v: WireValidator,
  value: unknown,
  path: string,
  constraints: { key: StringConstraints; value: StringConstraints },
): HttpParameterInput[] | undefined {
  const items = v.list(value, path, PARAMETER_LIST);
  if (items === undefined) return undefined;
  return items.map((item, index) => {
    const at = memberPath(path, index);
    const parameter = v.object(item, at, { required: true }) ?? {};
    return defined({
      key: v.string(parameter.Key, `${at}.key`, constraints.key),
      value: v.string(parameter.Value, `${at}.value`, constraints.value),
      isValueSecret: v.boolean(parameter.IsValueSecret, `${at}.isValueSecret`),
    });
  });
}

/** VPC Lattice connectivity (private APIs) has no counterpart in a self-hosted bus. */
function refuseConnectivity(invocation: unknown, inAuthParameters: boolean | undefined): void {
  if (invocation !== undefined || inAuthParameters === true) {
    throw new ValidationError(
      'InvocationConnectivityParameters and ConnectivityParameters (VPC Lattice private APIs) are not ' +
        'supported by Busway: leave them out; Busway calls the endpoint directly.',
    );
  }
}

// --- writers: domain -> wire --------------------------------------------------------------------------

function optionalSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : epochSeconds(ms);
}

function connectionStateOut(result: ConnectionStateResult): Record<string, unknown> {
  return {
    ConnectionArn: result.arn,
    ConnectionState: result.state,
    CreationTime: epochSeconds(result.createdAt),
    LastModifiedTime: epochSeconds(result.updatedAt),
    LastAuthorizedTime: optionalSeconds(result.lastAuthorizedAt),
  };
}

function parameterOut(parameter: ConnectionParameterRecord): Record<string, unknown> {
  // A secret value is never stored in the description; `undefined` keeps it out of the JSON anyway.
  return {
    Key: parameter.key,
    Value: parameter.isValueSecret ? undefined : parameter.value,
    IsValueSecret: parameter.isValueSecret,
  };
}

function httpParametersOut(
  parameters: ConnectionHttpParametersDescription | undefined,
): Record<string, unknown> | undefined {
  if (parameters === undefined) return undefined;
  return {
    HeaderParameters: parameters.headerParameters?.map(parameterOut),
    QueryStringParameters: parameters.queryStringParameters?.map(parameterOut),
    BodyParameters: parameters.bodyParameters?.map(parameterOut),
  };
}

function connectionOut(connection: ConnectionDescription): Record<string, unknown> {
  const auth = connection.authParameters;
  return {
    ConnectionArn: connection.arn,
    Name: connection.name,
    Description: connection.description,
    ConnectionState: connection.state,
    StateReason: connection.stateReason,
    AuthorizationType: connection.authorizationType,
    SecretArn: connection.secretArn,
    KmsKeyIdentifier: connection.kmsKeyIdentifier,
    AuthParameters: {
      BasicAuthParameters: auth.basic === undefined ? undefined : { Username: auth.basic.username },
      OAuthParameters:
        auth.oauth === undefined
          ? undefined
          : {
              ClientParameters: { ClientID: auth.oauth.clientId },
              AuthorizationEndpoint: auth.oauth.authorizationEndpoint,
              HttpMethod: auth.oauth.httpMethod,
              OAuthHttpParameters: httpParametersOut(auth.oauth.httpParameters),
            },
      ApiKeyAuthParameters: auth.apiKey === undefined ? undefined : { ApiKeyName: auth.apiKey.name },
      InvocationHttpParameters: httpParametersOut(auth.invocationHttpParameters),
    },
    CreationTime: epochSeconds(connection.createdAt),
    LastModifiedTime: epochSeconds(connection.updatedAt),
    LastAuthorizedTime: optionalSeconds(connection.lastAuthorizedAt),
  };
}

function apiDestinationStateOut(destination: ApiDestinationDescription): Record<string, unknown> {
  return {
    ApiDestinationArn: destination.arn,
    ApiDestinationState: destination.state,
    CreationTime: epochSeconds(destination.createdAt),
    LastModifiedTime: epochSeconds(destination.updatedAt),
  };
}

/** As ListApiDestinations shows one (DescribeApiDestination adds Description). */
function apiDestinationOut(destination: ApiDestinationDescription): Record<string, unknown> {
  return {
    ApiDestinationArn: destination.arn,
    Name: destination.name,
    ApiDestinationState: destination.state,
    ConnectionArn: destination.connectionArn,
    InvocationEndpoint: destination.invocationEndpoint,
    HttpMethod: destination.httpMethod,
    InvocationRateLimitPerSecond: destination.invocationRateLimitPerSecond,
    CreationTime: epochSeconds(destination.createdAt),
    LastModifiedTime: epochSeconds(destination.updatedAt),
  };
}
