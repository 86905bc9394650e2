/**
 * @busway/sdk: connect applications to Busway or Amazon EventBridge (packages/sdk/README.md).
 */
export {
  createBuswayClient,
  type BuswayClient,
  type BuswayClientOptions,
  type Credentials,
  type CredentialsProvider,
} from './client.js';
export {
  publishEntries,
  RETRYABLE_ENTRY_CODES,
  MAX_ENTRIES_PER_CALL,
  MAX_CALL_BYTES,
  type EventEntry,
  type PublishedEntry,
  type PublishOptions,
  type PublishResult,
} from './publish.js';
export {
  createEventRouter,
  type EventHandler,
  type EventRouter,
  type EventRouterOptions,
  type ReceiverAuth,
  type RouterRequest,
  type RouterResponse,
} from './receive.js';
export {
  registerApp,
  ruleNameFor,
  DEFAULT_API_KEY_HEADER,
  type AppConnectionAuth,
  type AppRegistration,
  type AppRegistrationResult,
} from './register-app.js';
export {
  createDataChangePublisher,
  CRUD_OPERATIONS,
  type CrudOperation,
  type DataChange,
  type DataChangeDetail,
  type DataChangePublisher,
  type DataChangePublisherOptions,
  type DataChangeRule,
  type PublishedChange,
} from './data-changes.js';
export {
  createCommandConsumer,
  type Command,
  type CommandApiKey,
  type CommandCallback,
  type CommandConsumer,
  type CommandConsumerOptions,
  type CommandTenant,
  type CommandUsage,
} from './commands.js';
export {
  putEventAndWait,
  taskTokenOf,
  type PutEventAndWaitOptions,
  type TaskOutcome,
} from './task-tokens.js';
export {
  startWaitingForEvent,
  type BusEvent,
  type CorrelationValue,
  type EventWaiter,
  type WaitForEventOptions,
} from './wait-for-event.js';
export {
  BuswaySdkError,
  CommandRejectedError,
  EventRejectedError,
  InvalidArgumentError,
  PublishFailedError,
  ServiceCallError,
  TaskFailedError,
  TaskTimedOutError,
  WaitForEventTimeoutError,
} from './errors.js';
