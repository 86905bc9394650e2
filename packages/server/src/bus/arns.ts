/** ARNs in AWS's formats, with the configured region and account, so code that builds ARNs works. */

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

export const DEFAULT_BUS = 'default';

export function busArn(ctx: ArnContext, busName: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${busName}`;
}

/** Rules on the default bus are `rule/<name>`; on other buses `rule/<bus>/<name>` (as AWS does). */
export function ruleArn(ctx: ArnContext, busName: string, ruleName: string): string {
  const path = busName === DEFAULT_BUS ? ruleName : `${busName}/${ruleName}`;
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${path}`;
}

const BUS_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]*):(\d{12}):event-bus\/(.+)$/;
const RULE_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]*):(\d{12}):rule\/(.+)$/;

/** The bus name in an EventBusNameOrArn value; `default` when absent. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_BUS;
  const match = BUS_ARN.exec(nameOrArn);
  return match ? match[3]! : nameOrArn;
}

export type ParsedResourceArn =
  | { kind: 'event-bus'; busName: string }
  | { kind: 'rule'; busName: string; ruleName: string }
  | { kind: 'other' };

/** What a resource ARN (TagResource and co.) names. */
export function parseResourceArn(arn: string): ParsedResourceArn {
  const bus = BUS_ARN.exec(arn);
  if (bus) return { kind: 'event-bus', busName: bus[3]! };
  const rule = RULE_ARN.exec(arn);
  if (rule) {
    const path = rule[3]!;
    const slash = path.lastIndexOf('/');
    return slash < 0
      ? { kind: 'rule', busName: DEFAULT_BUS, ruleName: path }
      : { kind: 'rule', busName: path.slice(0, slash), ruleName: path.slice(slash + 1) };
  }
  return { kind: 'other' };
}

export function archiveArn(ctx: ArnContext, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:archive/${name}`;
}

export function replayArn(ctx: ArnContext, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:replay/${name}`;
}

const ARCHIVE_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]*):(\d{12}):archive\/(.+)$/;

/** The archive an ARN names, if it is an archive ARN (StartReplay's EventSourceArn). */
export function archiveNameOfArn(arn: string): string | undefined {
  return ARCHIVE_ARN.exec(arn)?.[3];
}

/** The bus a bus ARN names; undefined for anything else (CreateArchive's EventSourceArn). */
export function busNameOfArn(arn: string): string | undefined {
  return BUS_ARN.exec(arn)?.[3];
}
