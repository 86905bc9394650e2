/**
 * HMAC signatures over the raw body.
 *
 * - Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix seconds) and
 *   `webhook-signature` (space-separated `v1,<base64>`), HMAC-SHA256 over `{id}.{timestamp}.{body}` with
 *   the base64 key after `whsec_`; timestamps outside the replay window are refused.
 * - A configurable form: the signature's header, algorithm and encoding, an optional prefix
 *   (`sha256=`, GitHub), `k=v,...` pairs with a timestamp key (`t=...,v1=...`, Stripe) or a timestamp
 *   header (Slack), and the signed payload as a template of `{timestamp}` and `{body}`.
 *
 * Several secrets may be configured and a request may carry several signatures (rotation): one valid
 * pair is enough. Comparisons are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { headerValue } from '../expressions.js';
import type { HmacAuthentication, InboundRequest } from '../types.js';
import { type Authenticator, unauthorized } from './authenticator.js';

/** The key bytes of a Standard Webhooks secret (`whsec_` + base64; bare base64 accepted). */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkTimestamp(text: string | undefined, toleranceSeconds: number, now: number): number {
  if (text === undefined || !/^\d{1,12}$/.test(text.trim())) {
    throw unauthorized('The signature timestamp is missing or not Unix seconds.');
  }
  const seconds = Number(text.trim());
  if (Math.abs(now / 1000 - seconds) > toleranceSeconds) {
    throw unauthorized(`The signature timestamp is outside the ${toleranceSeconds}-second replay window.`);
  }
  return seconds;
}

export function createStandardWebhooksAuthenticator(
  secrets: readonly string[],
  toleranceSeconds: number,
  now: () => number = Date.now,
): Authenticator {
  const keys = secrets.map(standardWebhooksKey);
  return async (request) => {
    const id = headerValue(request, 'webhook-id');
    const timestamp = headerValue(request, 'webhook-timestamp');
    const signatures = headerValue(request, 'webhook-signature');
    if (id === undefined || timestamp === undefined || signatures === undefined) {
      throw unauthorized(
        'Standard Webhooks headers are required: webhook-id, webhook-timestamp, webhook-signature.',
      );
    }
    checkTimestamp(timestamp, toleranceSeconds, now());
    const presented = signatures
      .split(' ')
      .map((part) => part.split(','))
      .filter((pair) => pair[0] === 'v1' && pair[1] !== undefined)
      .map((pair) => Buffer.from(pair[1] ?? '', 'base64'));
    if (presented.length === 0) throw unauthorized('webhook-signature carries no v1 signature.');
    const prefix = Buffer.from(`${id}.${timestamp.trim()}.`, 'utf8');
    for (const key of keys) {
      const expected = createHmac('sha256', key).update(prefix).update(request.rawBody).digest();
      if (presented.some((signature) => sameBytes(signature, expected))) return { type: 'standard-webhooks' };
    }
    throw unauthorized("No webhook-signature matches the body with this endpoint's secrets.");
  };
}

/** Splits `t=1,v1=ab,v1=cd` into pairs (Stripe's header; spaces around the parts are ignored). */
function pairsOf(value: string): Array<[string, string]> {
  return value.split(',').flatMap((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [] : [[part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as [string, string]];
  });
}

function decode(text: string, encoding: 'hex' | 'base64'): Buffer {
  if (encoding === 'hex')
    return /^[0-9a-fA-F]*$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.alloc(0);
  return Buffer.from(text, 'base64');
}

export function createHmacAuthenticator(
  config: HmacAuthentication,
  now: () => number = Date.now,
): Authenticator {
  const header = config.header.toLowerCase();
  const [beforeBody, afterBody] = splitTemplate(config.signedPayload);
  const signedTimestamp = config.signedPayload.includes('{timestamp}');
  return async (request: InboundRequest) => {
    const value = headerValue(request, header);
    if (value === undefined || value.trim() === '') {
      throw unauthorized(`A signature is required in the ${config.header} header.`);
    }
    let signatures: string[];
    let timestamp: string | undefined;
    if (config.format === 'key-value') {
      const pairs = pairsOf(value);
      signatures = pairs.filter(([key]) => key === (config.signatureKey ?? 'v1')).map(([, sig]) => sig);
      if (config.timestampKey !== undefined)
        timestamp = pairs.find(([key]) => key === config.timestampKey)?.[1];
    } else {
      const trimmed = value.trim();
      const prefix = config.prefix ?? '';
      if (!trimmed.startsWith(prefix))
        throw unauthorized(`The ${config.header} header must start with ${prefix}.`);
      signatures = [trimmed.slice(prefix.length)];
      if (config.timestampHeader !== undefined) timestamp = headerValue(request, config.timestampHeader);
    }
    if (signatures.length === 0) throw unauthorized(`The ${config.header} header carries no signature.`);
    if (signedTimestamp || config.timestampKey !== undefined || config.timestampHeader !== undefined) {
      checkTimestamp(timestamp, config.toleranceSeconds, now());
    }
    const fill = (part: string) => part.replaceAll('{timestamp}', (timestamp ?? '').trim());
    const head = Buffer.from(fill(beforeBody), 'utf8');
    const tail = Buffer.from(fill(afterBody), 'utf8');
    const presented = signatures.map((signature) => decode(signature, config.encoding));
    for (const secret of config.secrets) {
      const expected = createHmac(config.algorithm, secret)
        .update(head)
        .update(request.rawBody)
        .update(tail)
        .digest();
      if (presented.some((signature) => sameBytes(signature, expected))) return { type: 'hmac' };
    }
    throw unauthorized(`The ${config.header} signature does not match the body.`);
  };
}

/** The template around its (single) `{body}`; a template without `{body}` signs the body at its end. */
function splitTemplate(template: string): [string, string] {
  const at = template.indexOf('{body}');
  if (at < 0) return [template, ''];
  return [template.slice(0, at), template.slice(at + '{body}'.length)];
}
