/**
 * The connection service over real SQLite files: resolveApiDestination's cache (changes through the
 * service at once, changes by another process sharing the database within a second) and what
 * DeauthorizeConnection keeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createKeyring } from '../../src/auth/access-keys.js';
import { createConnectionService } from '../../src/bus/connections.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTempDir, removeDir } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const NO_TOKENS = {
  getToken: () => Promise.reject(new Error('no token endpoint in this test')),
  invalidate: () => undefined,
};

let dir: string;
let stores: Store[];
beforeEach(() => {
  dir = createTempDir('busway-connections-');
  stores = [];
});
afterEach(async () => {
  for (const store of stores) await store.close();
  removeDir(dir);
});

/** A service as one server process has it: its own store handle on the shared file, the shared key. */
function openService() {
  const store = createSqliteStore({ path: `${dir}/busway.sqlite` });
  stores.push(store);
  return createConnectionService(store, createKeyring(store, { dataDir: dir }), {
    region: 'us-east-1',
    accountId: '000000000000',
    tokens: NO_TOKENS,
  });
}

describe('connection service', () => {
  it('resolves changes made through it at once, and those of another process within a second', async () => {
    const here = openService();
    const other = openService();
    const connection = await here.createConnection({
      name: 'c',
      authorizationType: 'BASIC',
      authParameters: { basic: { username: 'u', password: 'first' } },
    });
    const destination = await here.createApiDestination({
      name: 'd',
      connectionArn: connection.arn,
      invocationEndpoint: 'https://example.com/x',
      httpMethod: 'POST',
    });
    expect((await here.resolveApiDestination(destination.arn))?.connection.basic?.password).toBe('first');
    expect((await other.resolveApiDestination(destination.arn))?.connection.basic?.password).toBe('first');

    await here.updateConnection({ name: 'c', authParameters: { basic: { password: 'second' } } });
    expect((await here.resolveApiDestination(destination.arn))?.connection.basic?.password).toBe('second');
    // The other process reads the store again once its entry is a second old.
    await waitFor(
      async () => (await other.resolveApiDestination(destination.arn))?.connection.basic?.password,
      (password) => password === 'second',
      { what: 'the other process to see the new password' },
    );

    await here.deleteApiDestination('d');
    expect(await here.resolveApiDestination(destination.arn)).toBeUndefined();
    expect(await here.resolveApiDestination('arn:aws:events:us-east-1:000000000000:rule/x')).toBeUndefined();
  });

  it('keeps the non-secret OAuth settings and invocation parameters when deauthorizing', async () => {
    const service = openService();
    const created = await service.createConnection({
      name: 'o',
      authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      authParameters: {
        oauth: {
          clientId: 'app',
          clientSecret: 'cs',
          authorizationEndpoint: 'http://127.0.0.1:9/token',
          httpMethod: 'POST',
          httpParameters: {
            bodyParameters: [
              { key: 'scope', value: 'events' },
              { key: 'pin', value: '1234', isValueSecret: true },
            ],
          },
        },
        invocationHttpParameters: { headerParameters: [{ key: 'x-sig', value: 'sig', isValueSecret: true }] },
      },
    });
    await service.settled(); // the token request fails (nothing listens on port 9): DEAUTHORIZED
    expect((await service.describeConnection('o')).state).toBe('DEAUTHORIZED');
    await service.deauthorizeConnection('o');
    const described = await service.describeConnection('o');
    expect(described.authParameters).toStrictEqual({
      oauth: {
        clientId: 'app',
        authorizationEndpoint: 'http://127.0.0.1:9/token',
        httpMethod: 'POST',
        httpParameters: {
          bodyParameters: [
            { key: 'scope', value: 'events', isValueSecret: false },
            { key: 'pin', isValueSecret: true },
          ],
        },
      },
      invocationHttpParameters: { headerParameters: [{ key: 'x-sig', isValueSecret: true }] },
    });
    const destination = await service.createApiDestination({
      name: 'od',
      connectionArn: created.arn,
      invocationEndpoint: 'https://example.com',
      httpMethod: 'GET',
    });
    const resolved = await service.resolveApiDestination(destination.arn);
    expect(resolved?.state).toBe('INACTIVE');
    expect(resolved?.connection.oauth).toBeUndefined();
    expect(resolved?.connection.invocationHttpParameters).toStrictEqual({
      headerParameters: [{ key: 'x-sig', value: 'sig', isValueSecret: true }],
    });
    await service.close();
  });
});
