/** Assertions on the errors AWS SDK v3 clients raise, as a caller of AWS would see them. */
import type { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';
import { expect } from 'vitest';

/** The rejection of `promise`; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<EventBridgeServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as EventBridgeServiceException;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Expects an AWS error with this exception name and message (exact text, or a pattern), HTTP 400 and
 * a request id, as the SDK reports it. Returns the error for further checks.
 */
export async function expectAwsError(
  promise: Promise<unknown>,
  name: string,
  message?: string | RegExp,
  status = 400,
): Promise<EventBridgeServiceException> {
  const error = await rejectionOf(promise);
  expect({ name: error.name, message: error.message }).toEqual({
    name,
    message:
      message === undefined
        ? expect.any(String)
        : typeof message === 'string'
          ? message
          : expect.stringMatching(message),
  });
  expect(error.$metadata?.httpStatusCode).toBe(status);
  expect(error.$metadata?.requestId).toMatch(/\S/);
  return error;
}
