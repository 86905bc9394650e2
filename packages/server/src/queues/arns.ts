/** Queue ARNs in SQS's format, `arn:aws:sqs:REGION:ACCOUNT:NAME`, with the configured region and account. */
import type { ArnContext } from '../bus/arns.js';

export function queueArn(ctx: ArnContext, name: string): string {
  return `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
}

const QUEUE_ARN = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;

/** The queue name a queue ARN of this region and account names; undefined for any other text. */
export function queueNameOfArn(ctx: ArnContext, arn: string): string | undefined {
  const match = QUEUE_ARN.exec(arn);
  if (match === null || match[1] !== ctx.region || match[2] !== ctx.accountId) return undefined;
  return match[3];
}
