/**
 * The client: one EventBridge client (AWS SDK v3) plus Busway's own operations, configured once.
 * The endpoint and credentials decide where events go: with `endpoint`, a Busway server (or any
 * EventBridge-compatible endpoint); without it, Amazon EventBridge in the client's region.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createBuswayCalls, type BuswayCalls, type Credentials } from './busway-calls.js';
import { describeValue, InvalidArgumentError } from './errors.js';
import { publishEntries, type EventEntry, type PublishOptions, type PublishResult } from './publish.js';
import { registerApp, type AppRegistration, type AppRegistrationResult } from './register-app.js';
import { putEventAndWait, type PutEventAndWaitOptions, type TaskOutcome } from './task-tokens.js';
import {
  startWaitingForEvent,
  type BusEvent,
  type EventWaiter,
  type WaitForEventOptions,
} from './wait-for-event.js';

export type { Credentials } from './busway-calls.js';

/** Resolves credentials when needed (refreshing temporary ones is up to it). */
export type CredentialsProvider = () => Promise<Credentials>;

export interface BuswayClientOptions {
  /** A Busway server (`http://127.0.0.1:4010`); omit for Amazon EventBridge. */
  endpoint?: string;
  /** Defaults to the AWS SDK's (AWS_REGION, profile); `us-east-1` with an endpoint and none found. */
  region?: string;
  /**
   * Static (`{accessKeyId, secretAccessKey}`), temporary (with `sessionToken`) or a provider;
   * omitted: the AWS SDK's default chain (environment, profile, SSO, container, instance metadata).
   */
  credentials?: Credentials | CredentialsProvider;
  /** Attempts per HTTP call, the AWS SDK's own retries included (default 3). */
  maxAttempts?: number;
  /** Per-entry retries of publish (see PublishOptions). */
  publish?: PublishOptions;
  /**
   * Use this EventBridge client instead of building one: its region and credentials sign Busway's calls
   * too; give `endpoint` as well for the Busway-only features.
   */
  eventBridge?: EventBridgeClient;
}

export interface BuswayClient {
  readonly eventBridge: EventBridgeClient;
  /** The Busway endpoint, or undefined for AWS. */
  readonly endpoint: string | undefined;
  /** Publishes one event or many; one result per entry, in order. */
  publish(entries: EventEntry | readonly EventEntry[], options?: PublishOptions): Promise<PublishResult>;
  /** Publishes an event carrying a fresh task token and resolves with the answer (Busway only). */
  putEventAndWait<T = unknown>(entry: EventEntry, options: PutEventAndWaitOptions): Promise<TaskOutcome<T>>;
  /** Subscribes to a bus; resolves once subscribed, with the pending first matching event (Busway only). */
  startWaitingForEvent(options: WaitForEventOptions): Promise<EventWaiter>;
  /** The first matching event published after the call (Busway only). */
  waitForEvent(options: WaitForEventOptions): Promise<BusEvent>;
  /** Creates or updates the app's connection, API destination, rules and targets. */
  registerApp(app: AppRegistration): Promise<AppRegistrationResult>;
  /** Calls a Busway operation (`Busway.<operation>`), signed for the service `busway`. */
  callBusway(operation: string, input?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Releases the HTTP connections (when the client built its EventBridge client itself). */
  close(): void;
}

export function createBuswayClient(options: BuswayClientOptions = {}): BuswayClient {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      `createBuswayClient options must be an object, got ${describeValue(options)}.`,
    );
  }
  const endpoint = options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint);
  if (
    options.maxAttempts !== undefined &&
    (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)
  ) {
    throw new InvalidArgumentError(
      `maxAttempts must be an integer of 1 or more, got ${describeValue(options.maxAttempts)}.`,
    );
  }
  const credentials = options.credentials === undefined ? undefined : checkCredentials(options.credentials);
  const owned = options.eventBridge === undefined;
  const eventBridge =
    options.eventBridge ??
    new EventBridgeClient({
      ...(endpoint !== undefined && { endpoint }),
      ...(options.region !== undefined
        ? { region: options.region }
        : endpoint !== undefined && { region: defaultRegion() }),
      ...(credentials !== undefined && { credentials }),
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    });
  const busEndpoint = endpoint;
  const context = {
    endpoint: busEndpoint,
    region: () => eventBridge.config.region(),
    credentials: () => eventBridge.config.credentials(),
  };
  const calls = (feature: string): BuswayCalls => createBuswayCalls(context, feature);

  const client: BuswayClient = {
    eventBridge,
    endpoint: busEndpoint,
    publish: (entries, publishOptions) =>
      publishEntries(eventBridge, entries, { ...options.publish, ...publishOptions }),
    putEventAndWait: (entry, waitOptions) =>
      putEventAndWait(calls('putEventAndWait'), (e) => client.publish(e), entry, waitOptions),
    startWaitingForEvent: (waitOptions) => startWaitingForEvent(calls('waitForEvent'), waitOptions),
    async waitForEvent(waitOptions) {
      const waiter = await client.startWaitingForEvent(waitOptions);
      return waiter.event;
    },
    registerApp: (app) => registerApp(eventBridge, app),
    callBusway: (operation, input = {}) => calls(`Busway.${operation}`).call(operation, input),
    close() {
      if (owned) eventBridge.destroy();
    },
  };
  return client;
}

function checkEndpoint(endpoint: unknown): string {
  if (typeof endpoint === 'string') {
    try {
      const url = new URL(endpoint);
      if (url.protocol === 'http:' || url.protocol === 'https:') return endpoint.replace(/\/+$/, '');
    } catch {
      // reported below
    }
  }
  throw new InvalidArgumentError(
    `endpoint must be an http:// or https:// URL such as 'http://127.0.0.1:4010', got ${describeValue(endpoint)}.`,
  );
}

function checkCredentials(credentials: Credentials | CredentialsProvider): Credentials | CredentialsProvider {
  if (typeof credentials === 'function') return credentials;
  const c = credentials as Partial<Credentials> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    typeof c.accessKeyId !== 'string' ||
    c.accessKeyId === '' ||
    typeof c.secretAccessKey !== 'string' ||
    c.secretAccessKey === ''
  ) {
    throw new InvalidArgumentError(
      'credentials must be { accessKeyId, secretAccessKey } (non-empty strings, plus sessionToken for temporary credentials) or a function returning them; omit it to use the default chain.',
    );
  }
  if (c.sessionToken !== undefined && typeof c.sessionToken !== 'string') {
    throw new InvalidArgumentError('credentials.sessionToken must be a string when given.');
  }
  // A copy: the AWS SDK marks the object it is given.
  return { ...(c as Credentials) };
}

function defaultRegion(): string {
  return process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
}
