/**
 * The Store contract for inbound endpoints (webhooks and ingestion endpoints), run inside
 * runStoreContract with the suite's current store.
 */
import { describe, expect, it } from 'vitest';

import type { InboundEndpointKind, InboundEndpointRecord, Page, PageRequest, Store } from '../store.js';

const T0 = 1_700_000_000_000;

function endpoint(
  kind: InboundEndpointKind,
  id: string,
  fields: Partial<InboundEndpointRecord> = {},
): InboundEndpointRecord {
  return {
    kind,
    id,
    definition: JSON.stringify({ busName: 'default', id }),
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await list(nextToken === undefined ? { limit } : { limit, nextToken });
    pages.push(page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return pages;
}

export function runInboundStoreContract(getStore: () => Store): void {
  describe('inbound endpoints', () => {
    it('creates, reads, updates and deletes an endpoint, keeping secrets and createdAt', async () => {
      const store = getStore();
      const hook = endpoint('webhook', 'gh', { secretCiphertext: 'sealed' });
      expect(await store.createInboundEndpoint(hook)).toBe('created');
      expect(await store.getInboundEndpoint('webhook', 'gh')).toStrictEqual(hook);
      const changed = { ...hook, definition: '{"busName":"orders"}', createdAt: T0 + 5, updatedAt: T0 + 9 };
      delete (changed as Partial<InboundEndpointRecord>).secretCiphertext;
      expect(await store.updateInboundEndpoint(changed)).toBe('updated');
      expect(await store.getInboundEndpoint('webhook', 'gh')).toStrictEqual({ ...changed, createdAt: T0 });
      expect(await store.deleteInboundEndpoint('webhook', 'gh')).toBe('deleted');
      expect(await store.deleteInboundEndpoint('webhook', 'gh')).toBe('not-found');
      expect(await store.getInboundEndpoint('webhook', 'gh')).toBeUndefined();
      expect(await store.updateInboundEndpoint(changed)).toBe('not-found');
    });

    it('answers exists for a taken id and keeps the first definition', async () => {
      const store = getStore();
      await store.createInboundEndpoint(endpoint('webhook', 'a'));
      expect(await store.createInboundEndpoint(endpoint('webhook', 'a', { definition: '{}' }))).toBe(
        'exists',
      );
      expect(await store.getInboundEndpoint('webhook', 'a')).toStrictEqual(endpoint('webhook', 'a'));
    });

    it('keeps the two kinds apart: the same id may be a webhook and an ingestion endpoint', async () => {
      const store = getStore();
      expect(await store.createInboundEndpoint(endpoint('webhook', 'x'))).toBe('created');
      expect(await store.createInboundEndpoint(endpoint('ingest', 'x', { definition: '{"k":1}' }))).toBe(
        'created',
      );
      expect((await store.getInboundEndpoint('ingest', 'x'))?.definition).toBe('{"k":1}');
      expect(await store.deleteInboundEndpoint('webhook', 'x')).toBe('deleted');
      expect(await store.getInboundEndpoint('ingest', 'x')).toBeDefined();
    });

    it('lists one kind in id order, page by page', async () => {
      const store = getStore();
      for (const id of ['c', 'a', 'e', 'b', 'd']) await store.createInboundEndpoint(endpoint('webhook', id));
      await store.createInboundEndpoint(endpoint('ingest', 'zz'));
      const pages = await allPages((page) => store.listInboundEndpoints('webhook', page), 2);
      expect(pages.map((items) => items.map((item) => item.id))).toStrictEqual([
        ['a', 'b'],
        ['c', 'd'],
        ['e'],
      ]);
      expect(
        (await store.listInboundEndpoints('ingest', { limit: 10 })).items.map((i) => i.id),
      ).toStrictEqual(['zz']);
      await expect(store.listInboundEndpoints('webhook', { limit: 0 })).rejects.toThrow(RangeError);
    });
  });
}
