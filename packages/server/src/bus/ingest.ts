/**
 * PutEvents: validate each entry as EventBridge does, build the envelope, match the bus's rules, and
 * store the events with one delivery per (matched rule, target) in one durable write before answering.
 */
import { ValidationError } from '../errors.js';
import { timeOrderedId } from '../ids/time-ordered-id.js';
import type { AppendItem, EventRecord, NewDelivery, Store } from '../store/store.js';
import { busNameOf, type ArnContext } from './arns.js';
import type { RoutingTable } from './routing.js';
import type { PutEventsEntryInput, PutEventsOptions, PutEventsResultEntry } from './types.js';

export interface IngestOptions extends ArnContext {
  /** Largest request, counted as AWS counts entry sizes. */
  readonly maxRequestBytes: number;
  /** Fail entries for a missing bus instead of dropping them. */
  readonly strictEventBus: boolean;
}

export interface IngestObserver {
  /** An entry addressed a bus that does not exist and was dropped (AWS's behaviour). */
  onDroppedForMissingBus?(busName: string, eventId: string): void;
  /**
   * Events and their deliveries are durable (called once per stored batch, after the write): wakes the
   * delivery workers, feeds the live tail and the MatchedEvents/TriggeredRules metrics. Must not throw.
   */
  onStored?(batch: ReadonlyArray<{ event: EventRecord; deliveries: readonly NewDelivery[] }>): void;
}

export const TOTAL_SIZE_MESSAGE = 'Total size of the entries in the request is over the limit.';

/** An entry's size as EventBridge counts it (docs: "Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsEntryInput): number {
  let size = entry.time !== undefined ? 14 : 0;
  for (const text of [entry.source, entry.detailType, entry.detail]) {
    if (text !== undefined) size += Buffer.byteLength(text, 'utf8');
  }
  for (const resource of entry.resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

type Checked =
  { ok: true; busName: string; detail: string } | { ok: false; errorCode: string; errorMessage: string };

function checkEntry(entry: PutEventsEntryInput, options: PutEventsOptions): Checked {
  const required = (member: string): Checked => ({
    ok: false,
    errorCode: 'InvalidArgument',
    errorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
  });
  if (entry.source === undefined || entry.source === '') return required('Source');
  if (entry.detailType === undefined || entry.detailType === '') return required('DetailType');
  if (entry.detail === undefined || entry.detail === '') return required('Detail');
  const detail = entry.detail.trim();
  if (!isJsonObjectText(detail))
    return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  if (entry.source.startsWith('aws.') && options.forwarded !== true) {
    return {
      ok: false,
      errorCode: 'NotAuthorizedForSourceException',
      errorMessage: 'Not authorized for the source.',
    };
  }
  return { ok: true, busName: busNameOf(entry.busName), detail };
}

/** Detail must be a JSON object (a string, array or JSON-encoded string is MalformedDetail). */
function isJsonObjectText(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** `time` in the envelope: second precision, UTC, as EventBridge writes it. */
export function envelopeTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  // Most entries of a busy second share it: format it once.
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTime = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return cachedTime;
}

let cachedSecond = Number.NaN;
let cachedTime = '';

/**
 * The envelope as JSON text, keys in AWS's order. Detail goes in as the publisher wrote it, so
 * numbers keep their spelling for matching (EventBridge compares `300.0` and `300` by value, but
 * numbers beyond a double's precision by text).
 */
export function buildEnvelope(
  ctx: ArnContext,
  id: string,
  entry: PutEventsEntryInput & { source: string; detailType: string },
  detail: string,
  time: number,
): string {
  const head = JSON.stringify({
    version: '0',
    id,
    'detail-type': entry.detailType,
    source: entry.source,
    account: ctx.accountId,
    time: envelopeTime(time),
    region: ctx.region,
    resources: entry.resources ?? [],
  });
  return `${head.slice(0, -1)},"detail":${detail}}`;
}

export function createIngest(
  store: Store,
  routing: RoutingTable,
  options: IngestOptions,
  observer: IngestObserver = {},
  now: () => number = Date.now,
) {
  return async function putEvents(
    entries: PutEventsEntryInput[],
    putOptions: PutEventsOptions = {},
  ): Promise<PutEventsResultEntry[]> {
    let total = 0;
    for (const entry of entries) total += entrySize(entry);
    if (total > options.maxRequestBytes) throw new ValidationError(TOTAL_SIZE_MESSAGE);

    const receivedAt = now();
    const results: PutEventsResultEntry[] = [];
    const batch: AppendItem[] = [];
    for (const entry of entries) {
      const checked = checkEntry(entry, putOptions);
      if (!checked.ok) {
        results.push({ errorCode: checked.errorCode, errorMessage: checked.errorMessage });
        continue;
      }
      const id = timeOrderedId(receivedAt);
      if (!routing.hasBus(checked.busName)) {
        if (options.strictEventBus) {
          results.push({
            errorCode: 'ResourceNotFoundException',
            errorMessage: `Event bus ${checked.busName} does not exist.`,
          });
        } else {
          // AWS answers with an EventId and drops the event; we do the same, visibly.
          observer.onDroppedForMissingBus?.(checked.busName, id);
          results.push({ eventId: id });
        }
        continue;
      }
      const eventTime = entry.time ?? receivedAt;
      const envelope = buildEnvelope(
        options,
        id,
        entry as PutEventsEntryInput & { source: string; detailType: string },
        checked.detail,
        eventTime,
      );
      const deliveries: NewDelivery[] = [];
      for (const { rule, targets } of routing.route(checked.busName, envelope)) {
        for (const target of targets) {
          deliveries.push({
            id: timeOrderedId(receivedAt),
            ruleName: rule.name,
            ruleArn: rule.arn,
            targetId: target.id,
          });
        }
      }
      const item: AppendItem = {
        event: { id, busName: checked.busName, envelope, ingestedAt: receivedAt },
        deliveries,
      };
      // Archived in the event's own write: archive order is acceptance order, and nothing archived is lost.
      const archives = routing.archivesFor(checked.busName, envelope);
      if (archives.length > 0) {
        item.archives = archives;
        item.eventTime = Math.floor(eventTime / 1000) * 1000; // the envelope's `time` has second precision
      }
      batch.push(item);
      results.push({ eventId: id });
    }
    // Acknowledged means stored: the answer waits for the durable write of the whole request.
    if (batch.length > 0) {
      await store.appendEvents(batch, receivedAt);
      observer.onStored?.(batch);
    }
    return results;
  };
}

/** What the replayer hands to ingest: archived envelopes of one replay, in replay order. */
export interface ReplayBatch {
  busName: string;
  replayName: string;
  envelopes: readonly string[];
  /** The rules (ARNs) the events may reach; every rule of the bus when absent (FilterArns). */
  ruleArns?: readonly string[];
}

const ENVELOPE_HEAD = '{"version":"0","id":"';
const RESOURCES_KEY = ',"resources":';

/**
 * The envelope of a replayed event: the archived one with a new id and the top-level `replay-name`
 * between `region` and `resources` (EventBridge's place for it); everything else, detail's number
 * spellings included, as archived. buildEnvelope writes the head with JSON.stringify, so the first
 * `,"resources":` is the envelope's own (a string value cannot hold an unescaped quote, and `detail`
 * comes last); envelopes of another shape are rebuilt from their parsed form.
 *
 * A new id rather than the archived one: the events table keys events by id, deliveries point at it,
 * and FIFO queue targets deduplicate on it, so a replay within five minutes of the original would be
 * dropped there. The original id stays readable in the archive.
 */
export function replayedEnvelope(archived: string, id: string, replayName: string): string {
  const replay = `,"replay-name":${JSON.stringify(replayName)}`;
  if (archived.startsWith(ENVELOPE_HEAD)) {
    const idEnd = archived.indexOf('"', ENVELOPE_HEAD.length);
    const resources = archived.indexOf(RESOURCES_KEY, idEnd);
    if (idEnd > 0 && resources > 0) {
      return `${ENVELOPE_HEAD}${id}${archived.slice(idEnd, resources)}${replay}${archived.slice(resources)}`;
    }
  }
  const event = JSON.parse(archived) as Record<string, unknown>;
  const rebuilt: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'resources') rebuilt['replay-name'] = replayName;
    if (key !== 'replay-name') rebuilt[key] = key === 'id' ? id : value;
  }
  rebuilt['replay-name'] ??= replayName;
  return JSON.stringify(rebuilt);
}

/**
 * Ingest's entry for replayed events: each archived envelope gets a new id and its `replay-name`, is
 * routed on its bus to the allowed rules only, and is stored with its deliveries in one durable write.
 * Replayed events are never archived. An event that reaches no rule is not stored (a replay filtered to
 * one rule would otherwise copy the whole window into the events table). Returns how many were stored.
 */
export function createReplayIngest(
  store: Store,
  routing: RoutingTable,
  observer: IngestObserver = {},
  now: () => number = Date.now,
) {
  return async function replayEvents(input: ReplayBatch): Promise<number> {
    const receivedAt = now();
    const allowed = input.ruleArns === undefined ? undefined : new Set(input.ruleArns);
    const batch: AppendItem[] = [];
    for (const archived of input.envelopes) {
      const id = timeOrderedId(receivedAt);
      const envelope = replayedEnvelope(archived, id, input.replayName);
      const deliveries: NewDelivery[] = [];
      for (const { rule, targets } of routing.route(input.busName, envelope)) {
        if (allowed !== undefined && !allowed.has(rule.arn)) continue;
        for (const target of targets) {
          deliveries.push({
            id: timeOrderedId(receivedAt),
            ruleName: rule.name,
            ruleArn: rule.arn,
            targetId: target.id,
          });
        }
      }
      if (deliveries.length === 0) continue;
      batch.push({ event: { id, busName: input.busName, envelope, ingestedAt: receivedAt }, deliveries });
    }
    if (batch.length > 0) {
      await store.appendEvents(batch, receivedAt);
      observer.onStored?.(batch);
    }
    return batch.length;
  };
}
