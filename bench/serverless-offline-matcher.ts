/**
 * The event-pattern matcher of serverless-offline-aws-eventbridge 2.x, called the way the plugin calls
 * it, for side-by-side figures.
 *
 * In the plugin (src/index.ts, class ServerlessOfflineAwsEventBridgePlugin) a PutEvents entry is
 * delivered to a subscriber when `verifyIsSubscribed(subscriber, entry)` returns true. That method
 * tests `pattern.source` against entry.Source, `pattern['detail-type']` against entry.DetailType and,
 * for `pattern.detail`, runs `JSON.parse(entry.Detail)`, flattens the detail pattern to dotted paths
 * (`flattenObject`) and checks each path with `verifyIfValueMatchesEventBridgePatterns`, which reads the
 * values with a jsonpath query and supports exact values, prefix, suffix, equals-ignore-case,
 * anything-but (plain values), numeric and exists; any other operator throws ("The wildcard
 * eventBridge filter is not supported ..."). Subscribers are tested one after another, each parsing the
 * entry's Detail again.
 *
 * A citylots record is not an EventBridge envelope, so the benchmark hands the record to the plugin as
 * the entry's Detail and each rule pattern as the subscriber's `detail` pattern: exactly the code path
 * the plugin uses for detail patterns. The plugin is loaded from node_modules without being started
 * (no serverless instance, no HTTP server): an object with its prototype is enough, because these
 * methods touch no other state than `this.config?.…debug` for logging.
 */
import { createRequire } from 'node:module';

interface PluginPrototype {
  verifyIsSubscribed(
    subscriber: { event: { pattern: Record<string, unknown> }; functionKey: string },
    entry: { Detail: string },
  ): boolean;
}

export const SERVERLESS_OFFLINE_PACKAGE = 'serverless-offline-aws-eventbridge';

export interface ServerlessOfflineMatcher {
  /** Package version actually loaded. */
  readonly version: string;
  /** Tests one rule the way the plugin tests one subscriber; throws where the plugin throws. */
  matches(pattern: Record<string, unknown>, eventJson: string): boolean;
}

/** Loads the plugin, or returns the reason it cannot be loaded. */
export function loadServerlessOfflineMatcher(): ServerlessOfflineMatcher | { error: string } {
  const require = createRequire(import.meta.url);
  try {
    const plugin = require(SERVERLESS_OFFLINE_PACKAGE) as { prototype: PluginPrototype };
    const { version } = require(`${SERVERLESS_OFFLINE_PACKAGE}/package.json`) as { version: string };
    const instance = Object.create(plugin.prototype) as PluginPrototype;
    if (typeof instance.verifyIsSubscribed !== 'function') {
      return { error: `${SERVERLESS_OFFLINE_PACKAGE} ${version} has no verifyIsSubscribed method` };
    }
    return {
      version,
      matches: (pattern, eventJson) =>
        instance.verifyIsSubscribed(
          { event: { pattern: { detail: pattern } }, functionKey: 'bench' },
          { Detail: eventJson },
        ),
    };
  } catch (error) {
    return { error: `cannot load ${SERVERLESS_OFFLINE_PACKAGE}: ${(error as Error).message}` };
  }
}
