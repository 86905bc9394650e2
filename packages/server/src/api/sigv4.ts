/**
 * Server-side verification of AWS Signature Version 4 (reference §1.4), with node:crypto only.
 *
 * The canonical request is rebuilt from what arrived on the wire, using the client's own SignedHeaders
 * list: the JS SDK v3 signs nearly every header (`amz-sdk-invocation-id;...;x-amz-user-agent`) while
 * botocore signs `content-type;host;x-amz-date;x-amz-target`, so no fixed list would fit both.
 * @smithy/signature-v4 could do the same work but trusts `x-amz-content-sha256` instead of hashing the
 * body and needs several options to stop it adding headers (§1.4 caveats); the tests use it as the
 * oracle that signs requests instead.
 *
 * Errors are AuthErrors with the exception names and texts AWS's JSON services return (§1.3), so the
 * SDKs react as they do against AWS: a "Signature expired" InvalidSignatureException makes the JS SDK
 * correct its clock from the response Date header and retry.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** AWS's replay window: a request signed more than 5 minutes away from the server's clock is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const BAD_SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** The parts of an HTTP request the signature covers. */
export interface SignedRequest {
  method: string;
  /** The request target as received (path and query, still percent-encoded). */
  url: string;
  /** Node's header object: lower-case names; repeated headers already joined. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received. */
  rawBody: Buffer;
}

/** Who made a request: the access key id, when the request was signed. */
export interface AuthResult {
  accessKeyId?: string;
}

/** Checks one request's signature for `service` (`events`, `sqs`, `states`); throws AuthError. */
export type Authenticate = (request: SignedRequest, service: string) => Promise<AuthResult>;

export interface AuthenticatorOptions {
  /** The secret of an access key, or undefined when no such key exists. */
  lookupSecret(accessKeyId: string): Promise<string | undefined>;
  /** True while no access keys are configured: every request passes, signed or not. */
  isOpen(): Promise<boolean> | boolean;
  /** Called for each request let through in open mode (so the server can warn once). */
  onOpenRequest?: () => void;
  /**
   * The region credential scopes must name (the server's configured region, as AWS accepts only its
   * own). Undefined accepts any region: the signature still binds the request to the one signed for.
   */
  region?: string;
  /** Clock in epoch milliseconds; tests move it. */
  now?: () => number;
}

/** The fields of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  /** The credential scope as sent: `<date>/<region>/<service>/aws4_request`. */
  scope: string;
  signedHeaders: string[];
  signature: string;
}

/** The Authenticate function for a set of keys. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const now = options.now ?? Date.now;

  async function authenticate(request: SignedRequest, service: string): Promise<AuthResult> {
    if (await options.isOpen()) {
      options.onOpenRequest?.();
      // Still report who the caller says it is, for logs; nothing is verified in open mode.
      const header = headerValue(request.headers, 'authorization');
      const accessKeyId = header === undefined ? undefined : tryParseAuthorization(header)?.accessKeyId;
      return accessKeyId === undefined ? {} : { accessKeyId };
    }

    const header = headerValue(request.headers, 'authorization');
    if (header === undefined || header.trim() === '') {
      throw new AuthError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const auth = parseAuthorization(header);
    const requestTime = readRequestTime(request.headers, header);
    checkScope(auth, service, options.region, requestTime);
    checkClock(requestTime.ms, now());

    const secret = await options.lookupSecret(auth.accessKeyId);
    if (secret === undefined) {
      throw new AuthError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }

    const payloadHash = sha256Hex(request.rawBody);
    const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
    if (declaredHash !== undefined && declaredHash.trim().toLowerCase() !== payloadHash) {
      // A body changed after signing (or a client that hashed something else): the signature covers the
      // declared hash, so this is the only place the change can be seen.
      throw new AuthError(
        'InvalidSignatureException',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }

    const canonical = canonicalRequest(request, auth.signedHeaders, payloadHash);
    const stringToSign = [SIGV4_ALGORITHM, requestTime.amzDate, auth.scope, sha256Hex(canonical)].join('\n');
    const expected = createHmac('sha256', signingKey(secret, auth.date, auth.region, auth.service))
      .update(stringToSign, 'utf8')
      .digest('hex');
    if (!constantTimeEqual(expected, auth.signature)) {
      throw new AuthError('InvalidSignatureException', BAD_SIGNATURE_MESSAGE);
    }
    return { accessKeyId: auth.accessKeyId };
  }

  return authenticate;
}

/**
 * Parses an Authorization header, throwing IncompleteSignatureException with AWS's texts when a part is
 * missing: `Authorization header requires 'Credential' parameter. ... Authorization=<header>`.
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  const params = new Map<string, string>();
  for (const part of (space === -1 ? '' : trimmed.slice(space + 1)).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const signature = params.get('Signature');

  if (algorithm !== SIGV4_ALGORITHM && credential !== undefined && signature !== undefined) {
    // SigV4a (AWS4-ECDSA-P256-SHA256) arrives for PutEvents with EndpointId (§1.4).
    throw new AuthError(
      'IncompleteSignatureException',
      `Unsupported AWS 'algorithm': '${algorithm}'. Busway verifies ${SIGV4_ALGORITHM} signatures only.`,
    );
  }
  const problems: string[] = [];
  if (algorithm !== SIGV4_ALGORITHM || credential === undefined) {
    problems.push("Authorization header requires 'Credential' parameter.");
  }
  if (algorithm !== SIGV4_ALGORITHM || signature === undefined) {
    problems.push("Authorization header requires 'Signature' parameter.");
  }
  if (algorithm !== SIGV4_ALGORITHM || signedHeaders === undefined) {
    problems.push("Authorization header requires 'SignedHeaders' parameter.");
  }
  if (
    problems.length > 0 ||
    credential === undefined ||
    signature === undefined ||
    signedHeaders === undefined
  ) {
    throw new AuthError('IncompleteSignatureException', `${problems.join(' ')} Authorization=${trimmed}`);
  }

  const scopeParts = credential.split('/');
  if (scopeParts.length !== 5) {
    throw new AuthError(
      'IncompleteSignatureException',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = scopeParts;
  const headerNames = signedHeaders.split(';').map((name) => name.trim().toLowerCase());
  if (!headerNames.includes('host') && !headerNames.includes(':authority')) {
    throw new AuthError(
      'IncompleteSignatureException',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) {
    // Not a hex SHA-256 HMAC: it can never match, and comparing it would need equal lengths.
    throw new AuthError('InvalidSignatureException', BAD_SIGNATURE_MESSAGE);
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    scope: scopeParts.slice(1).join('/'),
    signedHeaders: headerNames,
    signature: signature.toLowerCase(),
  };
}

function tryParseAuthorization(header: string): ParsedAuthorization | undefined {
  try {
    return parseAuthorization(header);
  } catch {
    return undefined;
  }
}

interface RequestTime {
  /** The time as it goes into the string to sign: `yyyyMMdd'T'HHmmss'Z'`. */
  amzDate: string;
  ms: number;
}

/** The signing time from `x-amz-date`, else from `Date` (RFC 1123), as SigV4 allows. */
function readRequestTime(headers: SignedRequest['headers'], authorization: string): RequestTime {
  const amzDate = headerValue(headers, 'x-amz-date')?.trim();
  if (amzDate !== undefined) {
    const ms = parseAmzDate(amzDate);
    if (ms === undefined) {
      throw new AuthError(
        'IncompleteSignatureException',
        `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
    return { amzDate, ms };
  }
  const date = headerValue(headers, 'date')?.trim();
  if (date !== undefined) {
    const ms = Date.parse(date);
    if (!Number.isNaN(ms)) return { amzDate: formatAmzDate(ms), ms };
  }
  throw new AuthError(
    'IncompleteSignatureException',
    `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization.trim()}`,
  );
}

/** `20240102T030405Z` -> epoch ms, or undefined when it is not that format or not a real date. */
export function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20240231 over into March; a real timestamp round-trips.
  return formatAmzDate(ms) === text ? ms : undefined;
}

/** Epoch ms -> `yyyyMMdd'T'HHmmss'Z'`, the format of x-amz-date and of AWS's expiry messages. */
export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function checkScope(
  auth: ParsedAuthorization,
  service: string,
  region: string | undefined,
  time: RequestTime,
): void {
  if (auth.terminator !== 'aws4_request') {
    throw new AuthError(
      'InvalidSignatureException',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`,
    );
  }
  if (auth.service !== service) {
    throw new AuthError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${service}'.`,
    );
  }
  if (auth.region === '' || (region !== undefined && auth.region !== region)) {
    throw new AuthError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${auth.region}'.${region === undefined ? '' : ` This server serves '${region}'.`}`,
    );
  }
  const day = time.amzDate.slice(0, 8);
  if (auth.date !== day) {
    throw new AuthError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${day}', from '${time.amzDate}'.`,
    );
  }
}

/**
 * AWS's window is ±5 minutes. A time exactly 5 minutes away still passes (AWS's message says "earlier
 * than now - 5 min."); the JS SDK corrects its clock from the response once it is refused.
 */
function checkClock(requestMs: number, nowMs: number): void {
  if (requestMs < nowMs - MAX_CLOCK_SKEW_MS) {
    throw new AuthError(
      'InvalidSignatureException',
      `Signature expired: ${formatAmzDate(requestMs)} is now earlier than ${formatAmzDate(nowMs - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} - 5 min.)`,
    );
  }
  if (requestMs > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new AuthError(
      'InvalidSignatureException',
      `Signature not yet current: ${formatAmzDate(requestMs)} is still later than ${formatAmzDate(nowMs + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} + 5 min.)`,
    );
  }
}

/** SigV4's canonical request (§1.4 step 4). */
export function canonicalRequest(
  request: Pick<SignedRequest, 'method' | 'url' | 'headers'>,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const names = [...signedHeaders].sort();
  const headerLines = names.map(
    (name) => `${name}:${canonicalHeaderValue(headerValue(request.headers, name))}\n`,
  );
  return [
    request.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    headerLines.join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
}

/**
 * The path as SDKs sign it for every service but S3: dot segments and empty segments removed, then the
 * (already percent-encoded) path encoded once more, `/` kept. The JS SDK and botocore both encode the
 * wire path a second time, so the server must too.
 */
export function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized =
    (path.startsWith('/') ? '/' : '') +
    segments.join('/') +
    (segments.length > 0 && path.endsWith('/') ? '/' : '');
  return escapeUri(normalized === '' ? '/' : normalized).replace(/%2F/g, '/');
}

/** Query pairs decoded, re-encoded with SigV4's rules and sorted by name then value. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([escapeUri(safeDecode(name)), escapeUri(safeDecode(value))]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~` percent-encoded. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A malformed escape cannot have been produced by a signer; keep it as sent so the signature fails.
    return text;
  }
}

/** Values trimmed and inner whitespace runs collapsed to one space (§1.4 step 4). */
function canonicalHeaderValue(value: string | undefined): string {
  return (value ?? '').trim().replace(/\s+/g, ' ');
}

function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** kDate -> kRegion -> kService -> kSigning (§1.4 step 6). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date, 'utf8').digest();
  const kRegion = createHmac('sha256', kDate).update(region, 'utf8').digest();
  const kService = createHmac('sha256', kRegion).update(service, 'utf8').digest();
  return createHmac('sha256', kService).update('aws4_request', 'utf8').digest();
}

function constantTimeEqual(expectedHex: string, givenHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const given = Buffer.from(givenHex, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
