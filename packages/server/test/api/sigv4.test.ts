import { createHash, createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  canonicalPath,
  canonicalQuery,
  createAuthenticator,
  formatAmzDate,
  type SignedRequest,
} from '../../src/api/sigv4.js';
import { AuthError } from '../../src/errors.js';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const BODY = JSON.stringify({ Entries: [{ Source: 'my.app', DetailType: 'thing', Detail: '{"a":1}' }] });

function authenticator(options: { now?: number; region?: string; keys?: Record<string, string> } = {}) {
  const keys = options.keys ?? { [ACCESS_KEY_ID]: SECRET };
  return createAuthenticator({
    lookupSecret: async (id) => keys[id],
    isOpen: () => false,
    now: () => options.now ?? NOW,
    ...(options.region === undefined ? {} : { region: options.region }),
  });
}

/** Signs like the AWS SDK for JavaScript v3, whose signer this is. */
async function signWithSmithy(
  options: {
    body?: string;
    date?: number;
    secret?: string;
    accessKeyId?: string;
    path?: string;
    query?: Record<string, string>;
    service?: string;
    region?: string;
    target?: string;
  } = {},
): Promise<SignedRequest> {
  const body = options.body ?? BODY;
  const signer = new SignatureV4({
    service: options.service ?? 'events',
    region: options.region ?? 'us-east-1',
    credentials: {
      accessKeyId: options.accessKeyId ?? ACCESS_KEY_ID,
      secretAccessKey: options.secret ?? SECRET,
    },
    sha256: Sha256,
  });
  const path = options.path ?? '/';
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4010,
      path,
      query: options.query ?? {},
      headers: {
        host: '127.0.0.1:4010',
        'content-type': 'application/x-amz-json-1.1',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': options.target ?? 'AWSEvents.PutEvents',
        'amz-sdk-invocation-id': '8d1c8a3e-0000-4000-8000-000000000000',
        'amz-sdk-request': 'attempt=1; max=3',
        'x-amz-user-agent': 'aws-sdk-js/3.0.0',
      },
      body,
    },
    { signingDate: new Date(options.date ?? NOW) },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  // As the SDK writes the query on the wire: RFC 3986 escapes (a space is %20, never +).
  const search = Object.entries(options.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  return {
    method: 'POST',
    url: search === '' ? path : `${path}?${search}`,
    headers,
    rawBody: Buffer.from(body),
  };
}

/** Signs like botocore, by hand from the SigV4 spec: four signed headers, no x-amz-content-sha256. */
function signBotocoreStyle(
  options: { body?: string; date?: number; secret?: string; host?: string } = {},
): SignedRequest {
  const body = options.body ?? BODY;
  const amzDate = formatAmzDate(options.date ?? NOW);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host: options.host ?? 'localhost:4010',
    'x-amz-date': amzDate,
    'x-amz-target': 'AWSEvents.PutEvents',
  };
  const signedHeaders = 'content-type;host;x-amz-date;x-amz-target';
  const canonical = [
    'POST',
    '/',
    '',
    ...Object.keys(headers)
      .sort()
      .map((name) => `${name}:${headers[name]}`),
    '',
    signedHeaders,
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const scope = `${amzDate.slice(0, 8)}/us-east-1/events/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const kSigning = hmac(
    hmac(hmac(hmac(`AWS4${options.secret ?? SECRET}`, amzDate.slice(0, 8)), 'us-east-1'), 'events'),
    'aws4_request',
  );
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return {
    method: 'POST',
    url: '/',
    headers: {
      ...headers,
      'user-agent': 'Boto3/1.35.0 md/Botocore#1.35.0',
      'content-length': String(Buffer.byteLength(body)),
      authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    rawBody: Buffer.from(body),
  };
}

function withoutHeader(headers: SignedRequest['headers'], name: string): SignedRequest['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

async function authError(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('SigV4 verification', () => {
  it('accepts a request signed by the JS SDK signer and reports its access key id', async () => {
    const request = await signWithSmithy();
    expect(request.headers['x-amz-content-sha256']).toBeDefined();
    await expect(authenticator()(request, 'events')).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
  });

  it('accepts a botocore-style request (four signed headers, no payload hash header)', async () => {
    await expect(authenticator()(signBotocoreStyle(), 'events')).resolves.toEqual({
      accessKeyId: ACCESS_KEY_ID,
    });
  });

  it('accepts a request recorded from botocore 1.x SigV4Auth', async () => {
    // Produced with botocore's SigV4Auth.add_auth at a fixed clock (2026-01-02T03:04:05Z).
    const body = '{"Entries": [{"Source": "my.app", "DetailType": "thing", "Detail": "{\\"a\\": 1}"}]}';
    const request: SignedRequest = {
      method: 'POST',
      url: '/',
      headers: {
        'x-amz-target': 'AWSEvents.PutEvents',
        'content-type': 'application/x-amz-json-1.1',
        'user-agent': 'Boto3/1.x',
        'x-amz-date': '20260102T030405Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEBOTOCORE1/20260102/us-east-1/events/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5a6f086fbf5343225672ae771ab86b0150b5f495fbe51b32090e3464bf4770a8',
        'content-length': '82',
        host: 'localhost:4010',
      },
      rawBody: Buffer.from(body),
    };
    const auth = authenticator({
      keys: { AKIAEXAMPLEBOTOCORE1: 'botocoreSecretKeyExample/0123456789abcdef' },
    });
    await expect(auth(request, 'events')).resolves.toEqual({ accessKeyId: 'AKIAEXAMPLEBOTOCORE1' });
  });

  it('accepts a base path and a query string, canonicalised as the SDK signs them', async () => {
    const request = await signWithSmithy({ path: '/base/', query: { b: '2', a: 'x y' } });
    await expect(authenticator()(request, 'events')).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
  });

  it('verifies the service named by the caller (sqs for AmazonSQS.*)', async () => {
    const request = await signWithSmithy({ service: 'sqs', target: 'AmazonSQS.SendMessage' });
    await expect(authenticator()(request, 'sqs')).resolves.toEqual({ accessKeyId: ACCESS_KEY_ID });
    const error = await authError(authenticator()(request, 'events'));
    expect(error.awsType).toBe('InvalidSignatureException');
    expect(error.message).toBe("Credential should be scoped to correct service: 'events'.");
  });

  it('tolerates extra whitespace in signed header values, as SigV4 collapses it', async () => {
    const request = await signWithSmithy();
    const headers = { ...request.headers, 'amz-sdk-request': '  attempt=1;   max=3  ' };
    await expect(authenticator()({ ...request, headers }, 'events')).resolves.toEqual({
      accessKeyId: ACCESS_KEY_ID,
    });
  });

  it('refuses a wrong secret with InvalidSignatureException', async () => {
    const error = await authError(
      authenticator()(await signWithSmithy({ secret: 'not-the-secret' }), 'events'),
    );
    expect(error.awsType).toBe('InvalidSignatureException');
    expect(error.message).toBe(BAD_SIGNATURE);
  });

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const error = await authError(
      authenticator()(await signWithSmithy({ accessKeyId: 'AKIAUNKNOWNKEY000000' }), 'events'),
    );
    expect(error.awsType).toBe('UnrecognizedClientException');
    expect(error.message).toBe('The security token included in the request is invalid.');
  });

  it('refuses a request without Authorization with MissingAuthenticationTokenException', async () => {
    const request = await signWithSmithy();
    const headers = withoutHeader(request.headers, 'authorization');
    const error = await authError(authenticator()({ ...request, headers }, 'events'));
    expect(error.awsType).toBe('MissingAuthenticationTokenException');
    expect(error.message).toBe('Missing Authentication Token');
  });

  it('refuses a tampered body', async () => {
    const request = await signWithSmithy();
    const tampered = { ...request, rawBody: Buffer.from(BODY.replace('my.app', 'my.evil')) };
    const error = await authError(authenticator()(tampered, 'events'));
    expect(error.awsType).toBe('InvalidSignatureException');
    expect(error.message).toBe(
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );

    // Without the payload hash header (botocore), the body change shows in the signature.
    const botocore = signBotocoreStyle();
    const error2 = await authError(
      authenticator()({ ...botocore, rawBody: Buffer.from(BODY.replace('my.app', 'my.evil')) }, 'events'),
    );
    expect(error2.awsType).toBe('InvalidSignatureException');
    expect(error2.message).toBe(BAD_SIGNATURE);
  });

  it('refuses a tampered signed header', async () => {
    const request = await signWithSmithy();
    const headers = { ...request.headers, 'x-amz-target': 'AWSEvents.DeleteEventBus' };
    const error = await authError(authenticator()({ ...request, headers }, 'events'));
    expect(error.awsType).toBe('InvalidSignatureException');
    expect(error.message).toBe(BAD_SIGNATURE);
  });

  it('ignores a change to an unsigned header', async () => {
    const request = await signWithSmithy();
    const headers = { ...request.headers, 'user-agent': 'something else' };
    await expect(authenticator()({ ...request, headers }, 'events')).resolves.toEqual({
      accessKeyId: ACCESS_KEY_ID,
    });
  });

  it('refuses a changed path', async () => {
    const request = await signWithSmithy();
    const error = await authError(authenticator()({ ...request, url: '/other' }, 'events'));
    expect(error.message).toBe(BAD_SIGNATURE);
  });

  describe('clock window (±5 minutes)', () => {
    const fiveMinutes = 5 * 60 * 1000;

    it('accepts a request exactly 5 minutes old or early', async () => {
      await expect(
        authenticator()(await signWithSmithy({ date: NOW - fiveMinutes }), 'events'),
      ).resolves.toBeDefined();
      await expect(
        authenticator()(await signWithSmithy({ date: NOW + fiveMinutes }), 'events'),
      ).resolves.toBeDefined();
    });

    it('refuses a request 5 minutes and 1 second old with AWS’s expiry text', async () => {
      const error = await authError(
        authenticator()(await signWithSmithy({ date: NOW - fiveMinutes - 1000 }), 'events'),
      );
      expect(error.awsType).toBe('InvalidSignatureException');
      expect(error.message).toBe(
        'Signature expired: 20260102T025904Z is now earlier than 20260102T025905Z (20260102T030405Z - 5 min.)',
      );
    });

    it('refuses a request from more than 5 minutes in the future', async () => {
      const error = await authError(
        authenticator()(await signWithSmithy({ date: NOW + fiveMinutes + 1000 }), 'events'),
      );
      expect(error.awsType).toBe('InvalidSignatureException');
      expect(error.message).toBe(
        'Signature not yet current: 20260102T030906Z is still later than 20260102T030905Z (20260102T030405Z + 5 min.)',
      );
    });

    it('checks the clock before looking up the key', async () => {
      const request = await signWithSmithy({ date: NOW - 3_600_000, accessKeyId: 'AKIAUNKNOWNKEY000000' });
      expect((await authError(authenticator()(request, 'events'))).message).toMatch(/^Signature expired: /);
    });
  });

  describe('malformed Authorization headers', () => {
    async function withAuthorization(value: string): Promise<AuthError> {
      const request = await signWithSmithy();
      return authError(
        authenticator()({ ...request, headers: { ...request.headers, authorization: value } }, 'events'),
      );
    }

    it('names every missing part, as AWS does', async () => {
      const error = await withAuthorization('Bearer abc');
      expect(error.awsType).toBe('IncompleteSignatureException');
      expect(error.message).toBe(
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
          "Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc",
      );
    });

    it('names only the missing part', async () => {
      const error = await withAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date',
      );
      expect(error.awsType).toBe('IncompleteSignatureException');
      expect(error.message).toMatch(
        /^Authorization header requires 'Signature' parameter\. Authorization=AWS4/,
      );
    });

    it('refuses a credential without five parts', async () => {
      const error = await withAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/us-east-1, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      );
      expect(error.awsType).toBe('IncompleteSignatureException');
      expect(error.message).toBe(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIOSFODNN7EXAMPLE/20260102/us-east-1'",
      );
    });

    it('refuses another algorithm (SigV4a)', async () => {
      const error = await withAuthorization(
        `AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/events/aws4_request, SignedHeaders=host, Signature=abcd`,
      );
      expect(error.awsType).toBe('IncompleteSignatureException');
      expect(error.message).toMatch(/^Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'/);
    });

    it('requires host among the signed headers', async () => {
      const error = await withAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/events/aws4_request, SignedHeaders=x-amz-date, Signature=${'0'.repeat(64)}`,
      );
      expect(error.awsType).toBe('IncompleteSignatureException');
      expect(error.message).toBe("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    });

    it('refuses a signature that is not 64 hex digits as a bad signature', async () => {
      const error = await withAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz',
      );
      expect(error.awsType).toBe('InvalidSignatureException');
      expect(error.message).toBe(BAD_SIGNATURE);
    });

    it('refuses a wrong terminator and a scope date that is not the request date', async () => {
      const terminator = await withAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/events/aws5_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      );
      expect(terminator.message).toBe(
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
      );
      const date = await withAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      );
      expect(date.awsType).toBe('InvalidSignatureException');
      expect(date.message).toBe(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260101' != '20260102', from '20260102T030405Z'.",
      );
    });

    it('requires x-amz-date or Date, and a well-formed x-amz-date', async () => {
      const request = await signWithSmithy();
      const withoutDate = withoutHeader(request.headers, 'x-amz-date');
      const missing = await authError(authenticator()({ ...request, headers: withoutDate }, 'events'));
      expect(missing.awsType).toBe('IncompleteSignatureException');
      expect(missing.message).toMatch(
        /^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=AWS4-HMAC-SHA256 /,
      );
      const malformed = await authError(
        authenticator()(
          { ...request, headers: { ...request.headers, 'x-amz-date': '2026-01-02T03:04:05Z' } },
          'events',
        ),
      );
      expect(malformed.awsType).toBe('IncompleteSignatureException');
      expect(malformed.message).toBe(
        "Date must be in ISO-8601 'basic format'. Got '2026-01-02T03:04:05Z'. See http://en.wikipedia.org/wiki/ISO_8601",
      );
    });
  });

  it('requires the configured region when one is given', async () => {
    const request = await signWithSmithy({ region: 'eu-west-1' });
    await expect(authenticator()(request, 'events')).resolves.toBeDefined();
    const error = await authError(authenticator({ region: 'us-east-1' })(request, 'events'));
    expect(error.awsType).toBe('InvalidSignatureException');
    expect(error.message).toBe(
      "Credential should be scoped to a valid region, not 'eu-west-1'. This server serves 'us-east-1'.",
    );
  });

  it('lets every request through in open mode, signed or not, and says so', async () => {
    let openRequests = 0;
    const open = createAuthenticator({
      lookupSecret: async () => undefined,
      isOpen: async () => true,
      onOpenRequest: () => openRequests++,
      now: () => NOW,
    });
    await expect(open(await signWithSmithy({ secret: 'whatever' }), 'events')).resolves.toEqual({
      accessKeyId: ACCESS_KEY_ID,
    });
    await expect(
      open({ method: 'POST', url: '/', headers: {}, rawBody: Buffer.alloc(0) }, 'events'),
    ).resolves.toEqual({});
    expect(openRequests).toBe(2);
  });

  it('matches the AWS SigV4 test suite vector get-vanilla', async () => {
    // aws-sig-v4-test-suite/get-vanilla: GET / with host and x-amz-date, service "service".
    const auth = createAuthenticator({
      lookupSecret: async (id) => (id === 'AKIDEXAMPLE' ? SECRET : undefined),
      isOpen: () => false,
      now: () => Date.UTC(2015, 7, 30, 12, 36, 0),
    });
    const request: SignedRequest = {
      method: 'GET',
      url: '/',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      rawBody: Buffer.alloc(0),
    };
    await expect(auth(request, 'service')).resolves.toEqual({ accessKeyId: 'AKIDEXAMPLE' });
  });
});

describe('canonical path and query', () => {
  it('normalises dot segments and encodes the wire path once more, as SDKs do for non-S3 services', () => {
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('')).toBe('/');
    expect(canonicalPath('/base/')).toBe('/base/');
    expect(canonicalPath('/a/./b/../c')).toBe('/a/c');
    expect(canonicalPath('/a%20b')).toBe('/a%2520b');
  });

  it('sorts and re-encodes query pairs', () => {
    expect(canonicalQuery('b=2&a=x%20y&a=1')).toBe('a=1&a=x%20y&b=2');
    expect(canonicalQuery("k=it's")).toBe('k=it%27s');
  });
});
