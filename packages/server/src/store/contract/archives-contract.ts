/**
 * The Store contract for archives, replays and sinks (part of runStoreContract): archived events are
 * written with their event by appendEvents, read back in event-time order from a cursor, counted,
 * pruned by event time and deleted with their archive; replay states move only from the states given,
 * and progress never overwrites a cancel.
 */
import { describe, expect, it } from 'vitest';

import type { AppendItem, ArchiveRecord, EventRecord, NewReplay, Store } from '../store.js';

const ARN = 'arn:aws:events:us-east-1:000000000000';
const T0 = 1_700_000_000_000;

function archiveRecord(name: string, fields: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    name,
    arn: `${ARN}:archive/${name}`,
    busName: 'default',
    eventSourceArn: `${ARN}:event-bus/default`,
    retentionDays: 0,
    state: 'ENABLED',
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

function archivedItem(id: string, eventTime: number, archives: string[]): AppendItem {
  const event: EventRecord = { id, busName: 'default', envelope: `{"id":"${id}"}`, ingestedAt: T0 };
  return { event, deliveries: [], archives, eventTime };
}

function replayRecord(name: string, fields: Partial<NewReplay> = {}): NewReplay {
  return {
    name,
    arn: `${ARN}:replay/${name}`,
    archiveName: 'a',
    eventSourceArn: `${ARN}:archive/a`,
    destinationArn: `${ARN}:event-bus/default`,
    eventStartTime: T0,
    eventEndTime: T0 + 1000,
    replayStartTime: T0,
    ...fields,
  };
}

export function runArchivesContract(getStore: () => Store): void {
  describe('archives, replays and sinks', () => {
    it('creates, reads, lists by prefix and bus, updates and deletes archives', async () => {
      const store = getStore();
      expect(
        await store.createArchive(archiveRecord('a', { description: 'd', eventPattern: '{"x":[1]}' })),
      ).toBe('created');
      expect(await store.createArchive(archiveRecord('a'))).toBe('exists');
      await store.createArchive(archiveRecord('b', { busName: 'other' }));
      expect(await store.getArchive('a')).toEqual(
        archiveRecord('a', { description: 'd', eventPattern: '{"x":[1]}' }),
      );
      expect(await store.getArchive('nope')).toBeUndefined();
      expect(
        (await store.listArchives({ busName: 'other' }, { limit: 10 })).items.map((a) => a.name),
      ).toEqual(['b']);
      const first = await store.listArchives({}, { limit: 1 });
      expect(first.items.map((a) => a.name)).toEqual(['a']);
      const second = await store.listArchives({}, { limit: 1, nextToken: first.nextToken! });
      expect(second.items.map((a) => a.name)).toEqual(['b']);
      expect((await store.listAllArchives()).map((a) => a.name)).toEqual(['a', 'b']);
      expect(await store.updateArchive(archiveRecord('a', { retentionDays: 3, updatedAt: T0 + 1 }))).toBe(
        'updated',
      );
      expect(await store.getArchive('a')).toEqual(
        archiveRecord('a', { retentionDays: 3, updatedAt: T0 + 1 }),
      );
      expect(await store.updateArchive(archiveRecord('nope'))).toBe('not-found');
      expect(await store.deleteArchive('a')).toBe('deleted');
      expect(await store.deleteArchive('a')).toBe('not-found');
    });

    it('archives events in their own write and reads them in event-time order from a cursor', async () => {
      const store = getStore();
      await store.createArchive(archiveRecord('a'));
      await store.createArchive(archiveRecord('b'));
      await store.appendEvents(
        [
          archivedItem('e1', T0 + 500, ['a']),
          archivedItem('e2', T0 + 100, ['a', 'b']),
          archivedItem('e3', T0 + 500, ['a']),
          archivedItem('e4', T0 + 2000, ['a']),
        ],
        T0,
      );
      expect(await store.getArchiveStats('a')).toEqual({
        eventCount: 4,
        sizeBytes: 4 * '{"id":"e1"}'.length,
      });
      expect(await store.getArchiveStats('b')).toEqual({ eventCount: 1, sizeBytes: '{"id":"e2"}'.length });
      const window = { from: T0, to: T0 + 1000 };
      expect(await store.countArchivedEvents('a', window)).toBe(3);
      const firstTwo = await store.listArchivedEvents('a', window, undefined, 2);
      expect(firstTwo.map((e) => e.event.id)).toEqual(['e2', 'e1']);
      const last = firstTwo[1]!;
      const rest = await store.listArchivedEvents(
        'a',
        window,
        { eventTime: last.eventTime, seq: last.seq },
        10,
      );
      expect(rest.map((e) => [e.event.id, e.eventTime])).toEqual([['e3', T0 + 500]]);
      expect(rest[0]!.event).toEqual({
        id: 'e3',
        busName: 'default',
        envelope: '{"id":"e3"}',
        ingestedAt: T0,
      });
    });

    it('prunes by event time, and deletes archived events with their archive', async () => {
      const store = getStore();
      await store.createArchive(archiveRecord('a'));
      await store.createArchive(archiveRecord('b'));
      await store.appendEvents([archivedItem('e1', T0, ['a', 'b']), archivedItem('e2', T0 + 10, ['a'])], T0);
      expect(await store.pruneArchive('a', T0 + 10)).toBe(1);
      expect((await store.getArchiveStats('a')).eventCount).toBe(1);
      expect((await store.getArchiveStats('b')).eventCount).toBe(1);
      await store.deleteArchive('a');
      expect((await store.getArchiveStats('a')).eventCount).toBe(0);
      expect(await store.getEvent('e2')).toBeDefined();
    });

    it('moves replays only from the states given, and progress never overwrites a cancel', async () => {
      const store = getStore();
      expect(await store.createReplay(replayRecord('r', { eventsTotal: 5, filterArns: ['x'] }))).toBe(
        'created',
      );
      expect(await store.createReplay(replayRecord('r'))).toBe('exists');
      expect(await store.getReplay('r')).toEqual({
        ...replayRecord('r', { eventsTotal: 5, filterArns: ['x'] }),
        state: 'STARTING',
        eventsReplayed: 0,
      });
      const progress = { cursor: { eventTime: T0, seq: 7 }, eventLastReplayedTime: T0, eventsReplayed: 2 };
      expect(await store.recordReplayProgress('r', progress)).toBe('recorded');
      expect(await store.getReplay('r')).toMatchObject({
        state: 'RUNNING',
        cursor: progress.cursor,
        eventsReplayed: 2,
      });
      expect(await store.countActiveReplays()).toBe(1);
      expect(await store.setReplayState('r', { state: 'CANCELLING' }, ['STARTING', 'RUNNING'])).toBe(
        'updated',
      );
      expect(await store.recordReplayProgress('r', { ...progress, eventsReplayed: 3 })).toBe('not-running');
      expect(await store.getReplay('r')).toMatchObject({ state: 'CANCELLING', eventsReplayed: 2 });
      expect(await store.setReplayState('r', { state: 'CANCELLING' }, ['STARTING', 'RUNNING'])).toBe(
        'conflict',
      );
      expect(
        await store.setReplayState('r', { state: 'CANCELLED', replayEndTime: T0 + 9, stateReason: 'why' }, [
          'CANCELLING',
        ]),
      ).toBe('updated');
      expect(await store.getReplay('r')).toMatchObject({
        state: 'CANCELLED',
        replayEndTime: T0 + 9,
        stateReason: 'why',
      });
      expect(await store.setReplayState('nope', { state: 'CANCELLED' }, ['CANCELLING'])).toBe('not-found');
      expect(await store.listActiveReplays()).toEqual([]);
      await store.createReplay(replayRecord('s'));
      expect((await store.listActiveReplays()).map((r) => r.name)).toEqual(['s']);
      expect(
        (await store.listReplays({ state: 'CANCELLED' }, { limit: 10 })).items.map((r) => r.name),
      ).toEqual(['r']);
      expect((await store.listReplays({ namePrefix: 's' }, { limit: 10 })).items.map((r) => r.name)).toEqual([
        's',
      ]);
    });

    it('leases a replay to one replayer at a time, and lets another take it once the lease expired', async () => {
      const store = getStore();
      await store.createReplay(replayRecord('leased'));
      expect(await store.leaseReplay('leased', 'node-a', 1000, 30_000)).toBe('held');
      expect(await store.leaseReplay('leased', 'node-b', 2000, 30_000)).toBe('taken');
      // The holder renews.
      expect(await store.leaseReplay('leased', 'node-a', 20_000, 30_000)).toBe('held');
      expect(await store.leaseReplay('leased', 'node-b', 49_999, 30_000)).toBe('taken');
      // Node A went quiet: its lease ends 30 s after its last renewal.
      expect(await store.leaseReplay('leased', 'node-b', 50_000, 30_000)).toBe('held');
      expect(await store.leaseReplay('leased', 'node-a', 50_001, 30_000)).toBe('taken');
      expect(await store.leaseReplay('missing', 'node-a', 0, 30_000)).toBe('taken');
    });

    it('creates, lists and deletes sinks with their settings as given', async () => {
      const store = getStore();
      const sink = {
        name: 'k',
        arn: 'arn:aws:busway:us-east-1:000000000000:sink/k',
        settings: { a: [1] },
        createdAt: T0,
        updatedAt: T0,
      };
      expect(await store.createSink(sink)).toBe('created');
      expect(await store.createSink(sink)).toBe('exists');
      expect(await store.getSink('k')).toEqual(sink);
      expect((await store.listSinks({ limit: 10 })).items).toEqual([sink]);
      expect(await store.deleteSink('k')).toBe('deleted');
      expect(await store.deleteSink('k')).toBe('not-found');
    });
  });
}
