/**
 * Dead letters: a delivery that ends without reaching its target is sent to the target's
 * DeadLetterConfig queue, as EventBridge does: the body is what the target would have received, and the
 * message attributes say why (reference §5: RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 * EXHAUSTED_RETRY_CONDITION when a RetryPolicy limit ended it, RETRY_ATTEMPTS).
 */
import type { ArnContext } from '../bus/arns.js';
import { queueNameOfArn } from '../queues/arns.js';
import type { MessageAttributeValue, QueueService } from '../queues/types.js';
import type { ExhaustedRetryCondition } from './retry-policy.js';

export interface DeadLetter {
  queueArn: string;
  body: string;
  ruleArn: string;
  targetArn: string;
  errorCode: string;
  errorMessage: string;
  exhausted?: ExhaustedRetryCondition;
  /** Retries made (attempts minus one). */
  retryAttempts: number;
}

/** SQS caps attribute values with the message; error texts from targets can be long. */
const MAX_ERROR_MESSAGE = 1024;

export function deadLetterAttributes(letter: DeadLetter): Record<string, MessageAttributeValue> {
  const text = (stringValue: string): MessageAttributeValue => ({ dataType: 'String', stringValue });
  return {
    RULE_ARN: text(letter.ruleArn),
    TARGET_ARN: text(letter.targetArn),
    ERROR_CODE: text(letter.errorCode),
    ERROR_MESSAGE: text(letter.errorMessage.slice(0, MAX_ERROR_MESSAGE) || letter.errorCode),
    ...(letter.exhausted !== undefined && { EXHAUSTED_RETRY_CONDITION: text(letter.exhausted) }),
    RETRY_ATTEMPTS: { dataType: 'Number', stringValue: String(letter.retryAttempts) },
  };
}

/**
 * Sends a dead letter; throws an Error saying why it could not (no such queue, a FIFO queue, a queue
 * of another region or account), which the delivery then records.
 */
export async function sendDeadLetter(
  queues: QueueService,
  ctx: ArnContext,
  letter: DeadLetter,
): Promise<void> {
  const name = queueNameOfArn(ctx, letter.queueArn);
  if (name === undefined) {
    throw new Error(
      `Dead-letter queue ${letter.queueArn} is not a queue of this server (${ctx.region}, ${ctx.accountId}).`,
    );
  }
  if (name.endsWith('.fifo')) {
    throw new Error(
      `Dead-letter queue ${letter.queueArn} is a FIFO queue; EventBridge needs a standard queue.`,
    );
  }
  await queues.sendMessage(name, { body: letter.body, messageAttributes: deadLetterAttributes(letter) });
}
