/**
 * Queue targets (`arn:aws:sqs:REGION:ACCOUNT:NAME`): the input becomes one message of Busway's own
 * SQS-compatible queue. FIFO queues need `SqsParameters.MessageGroupId` (PutTargets requires it on AWS);
 * the event's id is the deduplication id, so a delivery repeated after a crash within SQS's five-minute
 * window does not store a second message.
 */
import type { ArnContext } from '../../bus/arns.js';
import { queueNameOfArn } from '../../queues/arns.js';
import { SqsError, type QueueService } from '../../queues/types.js';
import { DeliveryFailure, type InvokeTarget } from '../target-result.js';

/** SQS errors that another attempt cannot mend. */
const FINAL_SQS_CODES: Readonly<Record<string, 'NO_RESOURCE' | 'INVALID_PARAMETER'>> = {
  QueueDoesNotExist: 'NO_RESOURCE',
  NonExistentQueue: 'NO_RESOURCE',
  InvalidParameterValue: 'INVALID_PARAMETER',
  MissingParameter: 'INVALID_PARAMETER',
  InvalidMessageContents: 'INVALID_PARAMETER',
};

export function createQueueTarget(queues: QueueService, ctx: ArnContext): InvokeTarget {
  return async ({ target, delivery, input }) => {
    const name = queueNameOfArn(ctx, target.arn);
    if (name === undefined) {
      throw new DeliveryFailure(
        `Queue ${target.arn} is not a queue of this server (region ${ctx.region}, account ${ctx.accountId}).`,
        { code: 'NO_RESOURCE', retryable: false },
      );
    }
    const sqs = target.parameters?.['SqsParameters'] as { MessageGroupId?: unknown } | undefined;
    const groupId = typeof sqs?.MessageGroupId === 'string' ? sqs.MessageGroupId : undefined;
    const fifo = name.endsWith('.fifo');
    if (fifo && groupId === undefined) {
      throw new DeliveryFailure(
        `Target ${target.id} sends to FIFO queue ${name} without SqsParameters.MessageGroupId.`,
        {
          code: 'INVALID_PARAMETER',
          retryable: false,
        },
      );
    }
    try {
      const sent = await queues.sendMessage(name, {
        body: input,
        ...(fifo && { messageGroupId: groupId!, messageDeduplicationId: delivery.eventId }),
      });
      return { responseExcerpt: `MessageId ${sent.messageId}` };
    } catch (error) {
      if (error instanceof SqsError) {
        const code = FINAL_SQS_CODES[error.sqsCode];
        throw new DeliveryFailure(`Queue ${name}: ${error.sqsCode}: ${error.message}`, {
          code: code ?? 'INTERNAL_ERROR',
          retryable: code === undefined,
          cause: error,
        });
      }
      throw new DeliveryFailure(`Could not store the message in ${name}: ${String(error)}`, {
        code: 'INTERNAL_ERROR',
        retryable: true,
        cause: error,
      });
    }
  };
}
