/**
 * Synthetic EventBridge traffic for the rule-count scaling benchmark: realistic PutEvents envelopes,
 * and rule sets in which at most 5 rules can match any event while all others are plausible rules over
 * the same fields (source, detail-type, account, region, resources, detail.*) that this traffic never
 * satisfies. Deterministic: same arguments, same output.
 */
import { createPrng, type Prng } from './prng.js';

export const SCALING_SEED = 0x0e_b5_ca_1e;

interface SourceSpec {
  source: string;
  detailTypes: readonly string[];
  resource: string;
}

/** The event stream's domain. Dead rules are built to fall outside it. */
const SOURCES: readonly SourceSpec[] = [
  {
    source: 'com.busway.orders',
    detailTypes: ['OrderPlaced', 'OrderShipped', 'OrderCancelled'],
    resource: 'order',
  },
  { source: 'com.busway.payments', detailTypes: ['PaymentCaptured', 'PaymentRefunded'], resource: 'payment' },
  {
    source: 'com.busway.customers',
    detailTypes: ['CustomerSignedUp', 'CustomerUpdated'],
    resource: 'customer',
  },
  {
    source: 'com.busway.inventory',
    detailTypes: ['InventoryLow', 'ItemRestocked', 'ItemShipped'],
    resource: 'sku',
  },
];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'] as const;
const ACCOUNTS = ['123456789012', '210987654321', '555555555555'] as const;
const STATUSES = ['placed', 'paid', 'shipped', 'cancelled', 'failed', 'pending'] as const;
const TIERS = ['gold', 'silver', 'bronze', 'none'] as const;
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'BR', 'GB', 'IN', 'CA'] as const;
const CURRENCIES = ['USD', 'EUR', 'JPY', 'GBP'] as const;

function hex(prng: Prng, digits: number): string {
  let out = '';
  while (out.length < digits) out += prng.nextUint32().toString(16).padStart(8, '0');
  return out.slice(0, digits);
}

function uuid(prng: Prng): string {
  const h = hex(prng, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/**
 * `count` events as JSON text. Typical size 600-800 bytes: envelope, one resource ARN, and a detail
 * with a nested customer object, an items array of 1-4 objects, a number and an IPv4 address.
 */
export function generateEventBridgeEvents(count: number, seed: number = SCALING_SEED): string[] {
  const prng = createPrng(seed);
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  const events: string[] = [];
  for (let i = 0; i < count; i++) {
    const spec = prng.pick(SOURCES);
    const account = prng.pick(ACCOUNTS);
    const region = prng.pick(REGIONS);
    const id = hex(prng, 10);
    const items = Array.from({ length: prng.int(1, 4) }, () => ({
      sku: `SKU-${prng.int(1000, 9999)}`,
      qty: prng.int(1, 5),
      price: Math.round(prng.nextFloat() * 20_000) / 100,
    }));
    events.push(
      JSON.stringify({
        version: '0',
        id: uuid(prng),
        'detail-type': prng.pick(spec.detailTypes),
        source: spec.source,
        account,
        time: new Date(start + i * 1_250).toISOString().replace('.000Z', 'Z'),
        region,
        resources: [`arn:aws:busway:${region}:${account}:${spec.resource}/${id}`],
        detail: {
          [`${spec.resource}Id`]: `${spec.resource.slice(0, 3)}-${id}`,
          status: prng.pick(STATUSES),
          amount: Math.round(prng.nextFloat() * 99_999) / 100,
          currency: prng.pick(CURRENCIES),
          customer: { id: `cus-${hex(prng, 8)}`, tier: prng.pick(TIERS), country: prng.pick(COUNTRIES) },
          items,
          clientIp: `10.${prng.int(0, 255)}.${prng.int(0, 255)}.${prng.int(1, 254)}`,
          requestedAt: new Date(start + i * 1_250 - prng.int(0, 60_000)).toISOString(),
        },
      }),
    );
  }
  return events;
}

/** The rules that can match this traffic; the scaling benchmark always loads them first. */
export const LIVE_RULES: readonly object[] = [
  { source: ['com.busway.orders'] },
  {
    source: ['com.busway.orders'],
    'detail-type': ['OrderPlaced'],
    detail: { amount: [{ numeric: ['>', 100] }] },
  },
  { detail: { customer: { tier: ['gold'] } } },
  { source: [{ prefix: 'com.busway.' }], detail: { status: [{ 'anything-but': ['cancelled', 'failed'] }] } },
  {
    'detail-type': [{ suffix: 'Shipped' }],
    detail: { customer: { country: [{ 'equals-ignore-case': 'de' }] } },
  },
];

/** One kind of never-matching rule: its share of the dead rules, and how rule number `i` looks. */
interface DeadFamily {
  name: string;
  share: number;
  make(i: number, live: SourceSpec, prng: Prng): object;
}

/**
 * Never-matching rules: each has at least one condition this traffic never satisfies (a source,
 * detail-type, account, id or address the stream never carries, an amount out of range). Several
 * families reuse a live source or detail-type, or put an operator that accepts almost every value on
 * the field that sorts first, so a matcher cannot dismiss them by their first field alone.
 */
export const DEAD_FAMILIES: readonly DeadFamily[] = [
  {
    name: 'exact partner source + live detail-type',
    share: 0.2,
    make: (i, live, prng) => ({
      source: [`com.partner${i}.service`],
      'detail-type': [prng.pick(live.detailTypes)],
    }),
  },
  {
    name: 'account anything-but + partner source',
    share: 0.05,
    make: (i) => ({
      account: [{ 'anything-but': [String(100_000_000_000 + i)] }],
      source: [`com.partner${i}.audit`],
    }),
  },
  {
    name: 'live source + unknown detail-type',
    share: 0.15,
    make: (i, live, prng) => ({
      source: [live.source],
      'detail-type': [`${prng.pick(live.detailTypes)}V${i}`],
    }),
  },
  { name: 'source prefix', share: 0.08, make: (i) => ({ source: [{ prefix: `com.vendor${i}.` }] }) },
  {
    name: 'live source + amount out of range',
    share: 0.1,
    make: (i, live) => ({
      source: [live.source],
      detail: { amount: [{ numeric: ['>=', 1_000_000 + i] }], currency: ['USD', 'EUR'] },
    }),
  },
  {
    name: 'partner detail-type + status anything-but',
    share: 0.08,
    make: (i) => ({
      'detail-type': [`Partner${i}Event`],
      detail: { status: [{ 'anything-but': ['cancelled', 'failed'] }] },
    }),
  },
  {
    name: 'country equals-ignore-case + tier',
    share: 0.06,
    make: (i) => ({
      detail: { customer: { country: [{ 'equals-ignore-case': `x${i}` }], tier: ['gold', 'silver'] } },
    }),
  },
  {
    name: 'live source + resources wildcard',
    share: 0.05,
    make: (i, live) => ({
      source: [live.source],
      resources: [{ wildcard: `arn:aws:dynamodb:*:table/archive-${i}` }],
    }),
  },
  {
    name: 'retired customer id + items.sku prefix',
    share: 0.06,
    make: (i) => ({
      detail: { customer: { id: [`cus-retired-${i}`] }, items: { sku: [{ prefix: 'SKU-' }] } },
    }),
  },
  {
    name: 'unknown account + region',
    share: 0.04,
    make: (i, _live, prng) => ({ account: [String(900_000_000_000 + i)], region: [prng.pick(REGIONS)] }),
  },
  {
    name: 'live source + $or of dead detail conditions',
    share: 0.05,
    make: (i, live) => ({
      source: [live.source],
      $or: [{ detail: { status: [`archived-${i}`] } }, { detail: { amount: [{ numeric: ['<', -1 - i] }] } }],
    }),
  },
  {
    name: 'detail-type suffix + items.qty exists',
    share: 0.05,
    make: (i) => ({
      'detail-type': [{ suffix: `Expired${i}` }],
      detail: { items: { qty: [{ exists: true }] } },
    }),
  },
  {
    name: 'live source + clientIp cidr',
    share: 0.03,
    make: (i, live) => ({
      source: [live.source],
      detail: { clientIp: [{ cidr: `192.168.${i % 256}.0/24` }] },
    }),
  },
];

export interface ScalingRule {
  text: string;
  /** 'live' for the rules that can match, else the DEAD_FAMILIES name. */
  family: string;
}

/** `count` rules: the live rules first (as many as fit), then dead rules drawn by family share. */
export function generateScalingRules(count: number, seed: number = SCALING_SEED): ScalingRule[] {
  const prng = createPrng(seed ^ 0x5bd1e995);
  const totalShare = DEAD_FAMILIES.reduce((sum, f) => sum + f.share, 0);
  const rules: ScalingRule[] = [];
  for (let i = 0; i < count; i++) {
    if (i < LIVE_RULES.length) {
      rules.push({ text: JSON.stringify(LIVE_RULES[i]), family: 'live' });
      continue;
    }
    let roll = prng.nextFloat() * totalShare;
    const family = DEAD_FAMILIES.find((f) => (roll -= f.share) < 0) ?? (DEAD_FAMILIES.at(-1) as DeadFamily);
    rules.push({
      text: JSON.stringify(family.make(i, SOURCES[i % SOURCES.length] as SourceSpec, prng)),
      family: family.name,
    });
  }
  return rules;
}
