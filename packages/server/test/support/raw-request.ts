/**
 * AWS JSON 1.1 requests made by hand: fetch, optionally signed with @smithy/signature-v4 (the oracle the
 * server's own verifier is checked against), so no SDK retry, clock correction or client-side check
 * hides what the server answered.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'vitest';
import { TEST_REGION } from './server.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: { __type?: string; message?: string } & Record<string, unknown>;
}

export interface RawRequestOptions {
  target?: string;
  body?: string;
  /** Sign with these credentials; unsigned when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  signingDate?: Date;
  /**
   * `sdk`: sign every header the request carries plus x-amz-content-sha256, as the JS SDK v3 does;
   * `botocore`: content-type;host;x-amz-date;x-amz-target and no payload hash header, as boto3 does.
   */
  style?: 'sdk' | 'botocore';
  /** Changes the body after signing. */
  tamper?: (body: string) => string;
  /** The SigV4 service signed for (`events` by default; `busway` for Busway.* operations). */
  service?: string;
}

/** Sends one AWS JSON 1.1 request with fetch, signed by @smithy/signature-v4 when credentials are given. */
export async function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const endpoint = new URL(url);
  const body = options.body ?? '{}';
  let headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': options.target ?? 'AWSEvents.ListEventBuses',
    host: endpoint.host,
  };
  if (options.credentials !== undefined) {
    const style = options.style ?? 'sdk';
    const signer = new SignatureV4({
      service: options.service ?? 'events',
      region: TEST_REGION,
      credentials: { ...options.credentials },
      sha256: Sha256,
      applyChecksum: style === 'sdk',
    });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: Number(endpoint.port),
        path: '/',
        query: {},
        headers,
        body,
      },
      options.signingDate === undefined ? {} : { signingDate: options.signingDate },
    );
    headers = signed.headers;
  }
  // fetch sets Host itself (from the URL, the value that was signed) and refuses to be given one.
  const sendHeaders = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'host'),
  );
  const response = await fetch(url, {
    method: 'POST',
    headers: sendHeaders,
    body: options.tamper ? options.tamper(body) : body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? {} : JSON.parse(text)) as RawResponse['body'],
  };
}

export function expectRawError(response: RawResponse, type: string, message: string | RegExp): void {
  expect(response.status).toBe(400);
  expect(response.body.__type).toBe(type);
  if (typeof message === 'string') expect(response.body.message).toBe(message);
  else expect(response.body.message).toMatch(message);
  expect(response.headers.get('x-amzn-requestid')).toMatch(/\S/);
  expect(response.headers.get('content-type')).toMatch(/^application\/x-amz-json-1\.1/);
}

/**
 * A GET of one of Busway's plain endpoints (`/busway/...`), signed for the service `busway` when
 * credentials are given, as `busway` CLI commands sign theirs. The caller reads (and ends) the body.
 */
export async function signedGet(
  url: string,
  credentials?: { accessKeyId: string; secretAccessKey: string },
  signal?: AbortSignal,
): Promise<Response> {
  const target = new URL(url);
  let headers: Record<string, string> = { host: target.host };
  if (credentials !== undefined) {
    const signer = new SignatureV4({
      service: 'busway',
      region: TEST_REGION,
      credentials: { ...credentials },
      sha256: Sha256,
      applyChecksum: false,
    });
    const query: Record<string, string> = {};
    for (const [key, value] of target.searchParams) query[key] = value;
    const signed = await signer.sign({
      method: 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query,
      headers,
    });
    headers = signed.headers;
  }
  const sendHeaders = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'host'),
  );
  return fetch(url, { headers: sendHeaders, ...(signal !== undefined && { signal }) });
}
