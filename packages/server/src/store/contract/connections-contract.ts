/**
 * The Store contract for connections and API destinations, run by runStoreContract (store-contract.ts)
 * inside its suite, against the store it creates for each test.
 */
import { describe, expect, it } from 'vitest';

import { InvalidNextTokenError } from '../errors.js';
import type { ApiDestinationRecord, ConnectionRecord, Page, PageRequest, Store } from '../store.js';

const PREFIX = 'arn:aws:events:us-east-1:000000000000';
const T0 = 1_700_000_000_000;

export function connectionRecord(name: string, fields: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    name,
    arn: `${PREFIX}:connection/${name}/00000000-0000-4000-8000-000000000001`,
    authorizationType: 'API_KEY',
    state: 'AUTHORIZED',
    secretArn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/${name}/x-AbCdEf`,
    authParameters: { apiKey: { name: 'x-api-key' } },
    sealedSecret: 'v1:sealed-by-the-caller',
    createdAt: T0,
    updatedAt: T0,
    lastAuthorizedAt: T0,
    ...fields,
  };
}

export function apiDestinationRecord(
  name: string,
  connectionArn: string,
  fields: Partial<ApiDestinationRecord> = {},
): ApiDestinationRecord {
  return {
    name,
    arn: `${PREFIX}:api-destination/${name}/00000000-0000-4000-8000-000000000002`,
    connectionArn,
    invocationEndpoint: 'https://example.com/hook/*',
    httpMethod: 'POST',
    invocationRateLimitPerSecond: 300,
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

/** A copy of `record` without `keys` (absent, not undefined-valued). */
function withoutFields<T extends object, K extends keyof T>(record: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...record };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await list(nextToken === undefined ? { limit } : { limit, nextToken });
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return items;
}

export function describeConnectionsContract(getStore: () => Store): void {
  describe('connections and API destinations', () => {
    it('stores a connection with every field and reads it back unchanged', async () => {
      const store = getStore();
      const connection = connectionRecord('oauth', {
        description: 'token service',
        authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        state: 'DEAUTHORIZED',
        stateReason: 'token endpoint answered 401',
        kmsKeyIdentifier: 'alias/busway',
        authParameters: {
          oauth: {
            clientId: 'client',
            authorizationEndpoint: 'https://auth.example.com/token',
            httpMethod: 'POST',
            httpParameters: { bodyParameters: [{ key: 'scope', value: 'events', isValueSecret: false }] },
          },
          invocationHttpParameters: { headerParameters: [{ key: 'x-secret', isValueSecret: true }] },
        },
      });
      expect(await store.createConnection(connection)).toBe('created');
      expect(await store.getConnection('oauth')).toStrictEqual(connection);
      expect(await store.createConnection(connectionRecord('oauth'))).toBe('exists');
      expect(await store.getConnection('oauth')).toStrictEqual(connection);
    });

    it('omits absent optional fields', async () => {
      const store = getStore();
      const bare = withoutFields(connectionRecord('bare'), 'sealedSecret', 'lastAuthorizedAt');
      await store.createConnection(bare);
      const stored = await store.getConnection('bare');
      expect(stored).toStrictEqual(bare);
      expect(Object.keys(stored ?? {})).not.toContain('sealedSecret');
      expect(await store.getConnection('missing')).toBeUndefined();
    });

    it('lists connections by prefix and state, in name order, page by page', async () => {
      const store = getStore();
      for (const name of ['b-1', 'a-2', 'a-1', 'a-3']) {
        await store.createConnection(
          connectionRecord(name, { state: name === 'a-2' ? 'AUTHORIZING' : 'AUTHORIZED' }),
        );
      }
      const names = (items: ConnectionRecord[]) => items.map((item) => item.name);
      for (const limit of [1, 2, 10]) {
        expect(names(await allPages((page) => store.listConnections({}, page), limit))).toStrictEqual([
          'a-1',
          'a-2',
          'a-3',
          'b-1',
        ]);
        expect(
          names(await allPages((page) => store.listConnections({ namePrefix: 'a-' }, page), limit)),
        ).toStrictEqual(['a-1', 'a-2', 'a-3']);
        expect(
          names(
            await allPages(
              (page) => store.listConnections({ namePrefix: 'a', state: 'AUTHORIZED' }, page),
              limit,
            ),
          ),
        ).toStrictEqual(['a-1', 'a-3']);
      }
      await expect(store.listConnections({}, { limit: 1, nextToken: 'bogus!' })).rejects.toBeInstanceOf(
        InvalidNextTokenError,
      );
    });

    it('updates a connection, keeping name, arn, secretArn and createdAt', async () => {
      const store = getStore();
      const original = connectionRecord('c');
      await store.createConnection(original);
      const changed: ConnectionRecord = {
        ...connectionRecord('c'),
        authorizationType: 'BASIC',
        authParameters: { basic: { username: 'user' } },
        sealedSecret: 'v1:other',
        description: 'now basic',
        updatedAt: T0 + 5,
      };
      expect(await store.updateConnection(changed)).toBe('updated');
      expect(await store.getConnection('c')).toStrictEqual(changed);
      const deauthorized = withoutFields({ ...changed, state: 'DEAUTHORIZED' as const }, 'sealedSecret');
      expect(await store.updateConnection(deauthorized)).toBe('updated');
      expect(await store.getConnection('c')).toStrictEqual(deauthorized);
      expect(await store.updateConnection(connectionRecord('nope'))).toBe('not-found');
    });

    it('applies a conditional update only while state and updatedAt are unchanged', async () => {
      const store = getStore();
      const authorizing = connectionRecord('o', { state: 'AUTHORIZING', updatedAt: T0 });
      await store.createConnection(authorizing);
      const authorized = { ...authorizing, state: 'AUTHORIZED' as const, lastAuthorizedAt: T0 + 1 };
      expect(await store.updateConnection(authorized, { state: 'AUTHORIZED', updatedAt: T0 })).toBe(
        'changed',
      );
      expect(await store.updateConnection(authorized, { state: 'AUTHORIZING', updatedAt: T0 + 1 })).toBe(
        'changed',
      );
      expect((await store.getConnection('o'))?.state).toBe('AUTHORIZING');
      expect(await store.updateConnection(authorized, { state: 'AUTHORIZING', updatedAt: T0 })).toBe(
        'updated',
      );
      expect(await store.getConnection('o')).toStrictEqual(authorized);
      expect(
        await store.updateConnection(connectionRecord('x'), { state: 'AUTHORIZING', updatedAt: T0 }),
      ).toBe('not-found');
    });

    it('creates, lists, updates and deletes API destinations of existing connections', async () => {
      const store = getStore();
      const one = connectionRecord('one');
      const two = connectionRecord('two', {
        arn: `${PREFIX}:connection/two/00000000-0000-4000-8000-00000000000f`,
      });
      await store.createConnection(one);
      await store.createConnection(two);
      const dest = apiDestinationRecord('d1', one.arn, { description: 'orders hook' });
      expect(await store.createApiDestination(dest)).toBe('created');
      expect(await store.createApiDestination(dest)).toBe('exists');
      expect(await store.getApiDestination('d1')).toStrictEqual(dest);
      expect(
        await store.createApiDestination(apiDestinationRecord('d0', `${PREFIX}:connection/ghost/1`)),
      ).toBe('no-connection');
      await store.createApiDestination(
        apiDestinationRecord('d2', two.arn, { arn: `${PREFIX}:api-destination/d2/2`, httpMethod: 'PUT' }),
      );
      await store.createApiDestination(
        apiDestinationRecord('e1', one.arn, { arn: `${PREFIX}:api-destination/e1/3` }),
      );
      const names = (items: ApiDestinationRecord[]) => items.map((item) => item.name);
      expect(names(await allPages((page) => store.listApiDestinations({}, page), 1))).toStrictEqual([
        'd1',
        'd2',
        'e1',
      ]);
      expect(
        names(await allPages((page) => store.listApiDestinations({ connectionArn: one.arn }, page), 1)),
      ).toStrictEqual(['d1', 'e1']);
      expect(
        names(
          await allPages(
            (page) => store.listApiDestinations({ namePrefix: 'd', connectionArn: one.arn }, page),
            5,
          ),
        ),
      ).toStrictEqual(['d1']);

      const moved: ApiDestinationRecord = {
        ...apiDestinationRecord('d1', two.arn),
        invocationRateLimitPerSecond: 5,
        updatedAt: T0 + 9,
      };
      expect(await store.updateApiDestination(moved)).toBe('updated');
      expect(await store.getApiDestination('d1')).toStrictEqual(moved);
      expect(
        await store.updateApiDestination({ ...moved, connectionArn: `${PREFIX}:connection/ghost/1` }),
      ).toBe('no-connection');
      expect(await store.updateApiDestination(apiDestinationRecord('zz', one.arn))).toBe('not-found');

      expect(await store.deleteApiDestination('d1')).toBe('deleted');
      expect(await store.deleteApiDestination('d1')).toBe('not-found');
      expect(await store.getApiDestination('d1')).toBeUndefined();
    });

    it('refuses to delete a connection an API destination uses', async () => {
      const store = getStore();
      const connection = connectionRecord('used');
      await store.createConnection(connection);
      await store.createApiDestination(apiDestinationRecord('dest', connection.arn));
      expect(await store.deleteConnection('used')).toBe('in-use');
      expect(await store.getConnection('used')).toBeDefined();
      await store.deleteApiDestination('dest');
      expect(await store.deleteConnection('used')).toBe('deleted');
      expect(await store.deleteConnection('used')).toBe('not-found');
      expect(await store.getConnection('used')).toBeUndefined();
    });
  });
}
