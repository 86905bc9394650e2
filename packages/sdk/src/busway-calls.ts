/**
 * Busway's own operations (`X-Amz-Target: Busway.<Operation>`, AWS JSON 1.1) and signed GETs of its
 * plain endpoints (`/busway/tail`), signed with SigV4 for the service `busway` with the same credentials
 * and region as the EventBridge client, so one configuration serves both.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { ServiceCallError } from './errors.js';

/** Static or temporary credentials (with a session token). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface BuswayCallContext {
  /** The Busway endpoint; undefined when the client talks to AWS. */
  endpoint: string | undefined;
  region(): Promise<string>;
  credentials(): Promise<Credentials>;
}

export interface BuswayCalls {
  call(
    operation: string,
    input: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>>;
  /** A signed GET; resolves once the response headers are in (the caller reads and ends the body). */
  get(pathAndQuery: string, signal?: AbortSignal): Promise<Response>;
}

export function createBuswayCalls(context: BuswayCallContext, feature: string): BuswayCalls {
  const base = (): URL => {
    if (context.endpoint === undefined) {
      throw new ServiceCallError(
        'UnsupportedOnAws',
        `${feature} needs a Busway server: give the client an endpoint (createBuswayClient({ endpoint: 'http://127.0.0.1:4010' })). Amazon EventBridge has no Busway.* operations.`,
        undefined,
      );
    }
    return new URL(context.endpoint);
  };

  const sign = async (
    method: string,
    url: URL,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Record<string, string>> => {
    const signer = new SignatureV4({
      service: 'busway',
      region: await context.region(),
      credentials: await context.credentials(),
      sha256: Sha256,
      applyChecksum: false,
    });
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' && { port: Number(url.port) }),
      path: url.pathname,
      query,
      headers: { host: url.host, ...headers },
      ...(body !== undefined && { body }),
    });
    // fetch sets Host itself (the value that was signed) and refuses to be given one.
    const sendable = { ...signed.headers };
    delete sendable['host'];
    return sendable;
  };

  return {
    async call(operation, input, signal) {
      const url = new URL('/', base());
      const body = JSON.stringify(input);
      const headers = await sign(
        'POST',
        url,
        { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Busway.${operation}` },
        body,
      );
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        ...(signal !== undefined && { signal }),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        parsed = { message: text };
      }
      if (!response.ok) {
        const type = String(parsed['__type'] ?? 'Error').replace(/^.*#/, '');
        const message = String(parsed['message'] ?? parsed['Message'] ?? text);
        throw new ServiceCallError(type, `Busway.${operation} failed: ${type}: ${message}`, response.status);
      }
      return parsed;
    },

    async get(pathAndQuery, signal) {
      const url = new URL(pathAndQuery, base());
      const headers = await sign('GET', url, {});
      const response = await fetch(url, { headers, ...(signal !== undefined && { signal }) });
      if (!response.ok) {
        const text = await response.text();
        let type = 'Error';
        let message = text;
        try {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          type = String(parsed['__type'] ?? type).replace(/^.*#/, '');
          message = String(parsed['message'] ?? text);
        } catch {
          // not JSON: keep the text
        }
        throw new ServiceCallError(type, `GET ${url.pathname} failed: ${type}: ${message}`, response.status);
      }
      return response;
    },
  };
}
