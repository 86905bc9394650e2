/**
 * What ingest needs in memory: for each bus, one compiled matcher over its enabled pattern rules, and
 * each rule's targets. Loaded from the store at start-up and kept in step by the bus service after
 * every change it makes (the store is written first; this cache follows). With several nodes
 * (PostgreSQL mode) bus/config-sync.ts reloads the buses that other nodes changed (reloadBus).
 */
import { createRuleMatcher, parsePattern, type RuleMatcher } from '@busway/patterns';
import type { ArchiveRecord, RuleRecord, Store, TargetRecord } from '../store/store.js';

/** EventBridge's hard maximum for a pattern (its quota is lower by default). */
const MAX_STORED_PATTERN_LENGTH = 4096;

interface BusRouting {
  readonly matcher: RuleMatcher<string>;
  /** The bus's enabled archives, compiled as rules named by the archive (created on first archive). */
  archives?: RuleMatcher<string>;
  readonly rules: Map<string, RuleRecord>;
  readonly targets: Map<string, TargetRecord[]>;
}

export interface Route {
  readonly rule: RuleRecord;
  readonly targets: readonly TargetRecord[];
}

export class RoutingTable {
  private readonly buses = new Map<string, BusRouting>();

  /** Builds the table from the store: every bus, rule and target. */
  static async load(store: Store): Promise<RoutingTable> {
    const table = new RoutingTable();
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await store.listBuses(
        undefined,
        token === undefined ? { limit: 100 } : { nextToken: token, limit: 100 },
      );
      for (const bus of page.items) table.addBus(bus.name);
      token = page.nextToken;
    }
    for (const archive of await store.listAllArchives()) table.setArchive(archive);
    for (const rule of await store.listAllRules()) {
      table.setRule(rule);
      table.setTargets(rule.busName, rule.name, await store.getTargets(rule.busName, rule.name));
    }
    return table;
  }

  /**
   * Replaces one bus's rules, targets and archives with what the store holds now, or drops the bus when the store
   * has none by that name. The new routing is built aside and swapped in whole, so ingest never matches
   * against a half-loaded bus.
   */
  async reloadBus(store: Store, busName: string): Promise<void> {
    if ((await store.getBus(busName)) === undefined) {
      this.buses.delete(busName);
      return;
    }
    const fresh = new RoutingTable();
    fresh.addBus(busName);
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await store.listRules(
        busName,
        undefined,
        token === undefined ? { limit: 100 } : { nextToken: token, limit: 100 },
      );
      for (const rule of page.items) {
        fresh.setRule(rule);
        fresh.setTargets(busName, rule.name, await store.getTargets(busName, rule.name));
      }
      token = page.nextToken;
    }
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await store.listArchives(
        { busName },
        token === undefined ? { limit: 100 } : { nextToken: token, limit: 100 },
      );
      for (const archive of page.items) fresh.setArchive(archive);
      token = page.nextToken;
    }
    this.buses.set(busName, fresh.buses.get(busName)!);
  }

  hasBus(name: string): boolean {
    return this.buses.has(name);
  }

  addBus(name: string): void {
    if (!this.buses.has(name)) {
      // Patterns were validated when stored, against the configured length; the matcher accepts any
      // stored pattern up to AWS's hard maximum.
      this.buses.set(name, {
        matcher: createRuleMatcher<string>({ maxLength: 4096 }),
        rules: new Map(),
        targets: new Map(),
      });
    }
  }

  deleteBus(name: string): void {
    this.buses.delete(name);
  }

  /** Adds or replaces a rule; only enabled rules with a pattern take part in matching. */
  setRule(rule: RuleRecord): void {
    this.addBus(rule.busName);
    const bus = this.buses.get(rule.busName)!;
    bus.rules.set(rule.name, rule);
    if (rule.eventPattern !== undefined && rule.state !== 'DISABLED') {
      bus.matcher.add(rule.name, parsePattern(rule.eventPattern, { maxLength: MAX_STORED_PATTERN_LENGTH }));
    } else {
      bus.matcher.remove(rule.name);
    }
  }

  deleteRule(busName: string, ruleName: string): void {
    const bus = this.buses.get(busName);
    if (bus === undefined) return;
    bus.rules.delete(ruleName);
    bus.targets.delete(ruleName);
    bus.matcher.remove(ruleName);
  }

  setTargets(busName: string, ruleName: string, targets: TargetRecord[]): void {
    const bus = this.buses.get(busName);
    if (bus === undefined) return;
    if (targets.length === 0) bus.targets.delete(ruleName);
    else bus.targets.set(ruleName, targets);
  }

  /** A rule's target as currently configured (the delivery engine reads targets here, not per attempt). */
  getTarget(busName: string, ruleName: string, targetId: string): TargetRecord | undefined {
    return this.buses
      .get(busName)
      ?.targets.get(ruleName)
      ?.find((target) => target.id === targetId);
  }

  /** Every enabled rule with a schedule expression, with its targets (scheduled rules live on `default`). */
  scheduledRules(): Route[] {
    const routes: Route[] = [];
    for (const bus of this.buses.values()) {
      for (const rule of bus.rules.values()) {
        if (rule.scheduleExpression !== undefined && rule.state !== 'DISABLED') {
          routes.push({ rule, targets: bus.targets.get(rule.name) ?? [] });
        }
      }
    }
    return routes;
  }

  /**
   * Adds or replaces an archive: its pattern (every event when it has none) plus EventBridge's implicit
   * `"replay-name":[{"exists":false}]`, so that replayed events are never archived again. (Ingest's
   * replay entry does not consult archives at all; the exclusion keeps the matcher right on its own.)
   */
  setArchive(archive: ArchiveRecord): void {
    this.addBus(archive.busName);
    const bus = this.buses.get(archive.busName)!;
    bus.archives ??= createRuleMatcher<string>({ maxLength: MAX_STORED_PATTERN_LENGTH });
    if (archive.state !== 'ENABLED') {
      bus.archives.remove(archive.name);
      return;
    }
    const own = archive.eventPattern === undefined ? {} : (JSON.parse(archive.eventPattern) as object);
    const withExclusion = JSON.stringify({ ...own, 'replay-name': [{ exists: false }] });
    // A stored pattern near the 4096-character maximum may not fit with the exclusion: it is then
    // compiled alone (the replay path never archives, so nothing changes for events).
    const text = withExclusion.length <= MAX_STORED_PATTERN_LENGTH ? withExclusion : archive.eventPattern!;
    bus.archives.add(archive.name, parsePattern(text, { maxLength: MAX_STORED_PATTERN_LENGTH }));
  }

  deleteArchive(busName: string, name: string): void {
    this.buses.get(busName)?.archives?.remove(name);
  }

  /** The archives of a bus that an envelope goes into (empty for most buses: no archive). */
  archivesFor(busName: string, envelope: string): string[] {
    const archives = this.buses.get(busName)?.archives;
    if (archives === undefined || archives.size === 0) return [];
    return archives.match(envelope);
  }

  /** The rules an event envelope (JSON text) matches on a bus, with their targets. */
  route(busName: string, envelope: string): Route[] {
    const bus = this.buses.get(busName);
    if (bus === undefined || bus.matcher.size === 0) return [];
    const routes: Route[] = [];
    for (const name of bus.matcher.match(envelope)) {
      const rule = bus.rules.get(name);
      if (rule !== undefined) routes.push({ rule, targets: bus.targets.get(name) ?? [] });
    }
    return routes;
  }
}
