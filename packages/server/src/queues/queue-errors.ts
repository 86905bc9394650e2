/**
 * The SqsErrors the queue service throws, one constructor per case, with the texts SQS returns (where
 * SQS's text is known; the others follow its wording). The API layer renders them in either protocol.
 */
import { SqsError } from './types.js';

export function queueDoesNotExist(): SqsError {
  return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
}

export function invalidParameterValue(message: string): SqsError {
  return new SqsError('InvalidParameterValue', message);
}

/** `Value <value> for parameter <name> is invalid. Reason: <reason>` (SQS's shape for a bad value). */
export function invalidValue(name: string, value: unknown, reason: string): SqsError {
  return invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function missingParameter(name: string): SqsError {
  return new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
}

export function invalidAttributeName(name: string): SqsError {
  return new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
}

export function invalidAttributeValue(name: string): SqsError {
  return new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
}

export function queueNameExists(attribute: string): SqsError {
  return new SqsError(
    'QueueNameExists',
    `A queue already exists with the same name and a different value for attribute ${attribute}`,
  );
}

export function receiptHandleIsInvalid(handle: string): SqsError {
  return new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );
}

export function receiptHandleOfAnotherQueue(handle: string): SqsError {
  return new SqsError(
    'ReceiptHandleIsInvalid',
    `The receipt handle "${handle}" is not valid for this queue.`,
  );
}

export function receiptHandleExpired(handle: string): SqsError {
  return invalidValue('ReceiptHandle', handle, 'The receipt handle has expired.');
}

export function messageNotAvailable(handle: string): SqsError {
  return invalidValue(
    'ReceiptHandle',
    handle,
    'Message does not exist or is not available for visibility timeout change.',
  );
}

export function invalidMessageContents(message: string): SqsError {
  return new SqsError('InvalidMessageContents', message);
}

/** The kind of batch entry SQS names in EmptyBatchRequest. */
export type BatchEntryKind =
  | 'SendMessageBatchRequestEntry'
  | 'DeleteMessageBatchRequestEntry'
  | 'ChangeMessageVisibilityBatchRequestEntry';

export const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Checks a batch's shape: 1 to 10 entries with distinct, well-formed ids (SQS's order of checks). */
export function checkBatchEntries(entries: ReadonlyArray<{ id: string }>, kind: BatchEntryKind): void {
  if (entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${kind} in the request.`);
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { id } of entries) {
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  for (const { id } of entries) {
    if (!BATCH_ENTRY_ID.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. ' +
          'It can be at most 80 letters long.',
      );
    }
  }
}
