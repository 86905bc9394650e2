/**
 * Talking to a running server: the commands that need its live state (`tail`, `webhooks`, `ingest`,
 * `deliveries`) call the server's own operations (`X-Amz-Target: Busway.<Operation>`, AWS JSON 1.1,
 * signed with SigV4 for the service `busway`) or its signed GET endpoints, exactly as an AWS SDK would.
 *
 * Where the server is: `--endpoint-url URL` or `BUSWAY_ENDPOINT` (default http://127.0.0.1:4010).
 * Credentials: `BUSWAY_ACCESS_KEY_ID`/`BUSWAY_SECRET_ACCESS_KEY`, else `AWS_ACCESS_KEY_ID`/
 * `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`); a server without access keys accepts any.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4010';

export interface ServerClientOptions {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** An error answer of the server, in AWS's shape (`__type`, `message`). */
export class ServerCallError extends Error {
  readonly type: string;
  readonly statusCode: number;

  constructor(type: string, message: string, statusCode: number) {
    super(`${type}: ${message}`);
    this.name = 'ServerCallError';
    this.type = type;
    this.statusCode = statusCode;
  }
}

export interface ServerClient {
  readonly endpoint: string;
  /** Calls `Busway.<operation>` with a JSON input; resolves with the JSON output. */
  call<T = Record<string, unknown>>(operation: string, input?: Record<string, unknown>): Promise<T>;
  /** A signed GET of `path` (with its query); the caller reads (and ends) the streamed body. */
  get(path: string, signal?: AbortSignal): Promise<Response>;
}

/** Options from the environment and the command's `--endpoint-url`. */
export function serverClientOptions(
  env: NodeJS.ProcessEnv,
  endpointFlag: string | undefined,
): ServerClientOptions {
  const accessKeyId = env['BUSWAY_ACCESS_KEY_ID'] ?? env['AWS_ACCESS_KEY_ID'] ?? 'busway-cli';
  const secretAccessKey = env['BUSWAY_SECRET_ACCESS_KEY'] ?? env['AWS_SECRET_ACCESS_KEY'] ?? 'busway-cli';
  const sessionToken = env['BUSWAY_ACCESS_KEY_ID'] === undefined ? env['AWS_SESSION_TOKEN'] : undefined;
  return {
    endpoint: (endpointFlag ?? env['BUSWAY_ENDPOINT'] ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    region: env['BUSWAY_REGION'] ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) },
  };
}

export function createServerClient(options: ServerClientOptions): ServerClient {
  const signer = new SignatureV4({
    service: 'busway',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const base = new URL(options.endpoint);

  async function signed(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Record<string, string>> {
    const url = new URL(path, base);
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const request = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' && { port: Number(url.port) }),
      path: url.pathname,
      query,
      headers: { host: url.host, ...headers },
      ...(body !== undefined && { body }),
    });
    return request.headers;
  }

  return {
    endpoint: options.endpoint,

    async call<T>(operation: string, input: Record<string, unknown> = {}): Promise<T> {
      const body = JSON.stringify(input);
      const headers = await signed(
        'POST',
        '/',
        {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `Busway.${operation}`,
        },
        body,
      );
      const sendable = withoutHost(headers);
      const response = await fetch(new URL('/', base), { method: 'POST', headers: sendable, body });
      const text = await response.text();
      const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      if (!response.ok) {
        const type = String(parsed['__type'] ?? 'Error').replace(/^.*#/, '');
        throw new ServerCallError(
          type,
          String(parsed['message'] ?? parsed['Message'] ?? text),
          response.status,
        );
      }
      return parsed as T;
    },

    async get(path, signal) {
      const headers = await signed('GET', path, {});
      const sendable = withoutHost(headers);
      const response = await fetch(new URL(path, base), {
        headers: sendable,
        ...(signal !== undefined && { signal }),
      });
      if (!response.ok) {
        const text = await response.text();
        let type = 'Error';
        let message = text;
        try {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          type = String(parsed['__type'] ?? parsed['code'] ?? type).replace(/^.*#/, '');
          message = String(parsed['message'] ?? parsed['detail'] ?? text);
        } catch {
          // not JSON: keep the text
        }
        throw new ServerCallError(type, message, response.status);
      }
      return response;
    },
  };
}

/** fetch sets Host itself (and refuses to be given one); the signature covered the same value. */
function withoutHost(headers: Record<string, string>): Record<string, string> {
  const rest = { ...headers };
  delete rest['host'];
  return rest;
}
