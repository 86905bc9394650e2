/**
 * IP addresses for `cidr` and for exact pattern strings that are IP literals. Addresses become
 * fixed-width hex strings (8 digits for IPv4, 32 for IPv6), so a CIDR block is a pair of strings and
 * containment is plain string comparison.
 */

export interface IpRange {
  readonly v6: boolean;
  /** Mask length. */
  readonly bits: number;
  readonly low: string;
  readonly high: string;
}

/** Hex key of a standard dotted-quad or hex-colon IP literal, or undefined for anything else. */
export function ipKey(text: string): string | undefined {
  if (text.includes(':')) return ipv6Key(text);
  return ipv4Key(text);
}

function ipv4Key(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = '';
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out += n.toString(16).padStart(2, '0');
  }
  return out;
}

function ipv6Key(text: string): string | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): string[] | undefined => {
    if (s === '') return [];
    const out: string[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = ipv4Key(item);
        if (v4 === undefined) return undefined;
        out.push(v4.slice(0, 4), v4.slice(4));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(item.toLowerCase().padStart(4, '0'));
      } else return undefined;
    }
    return out;
  };
  if (halves.length === 2) {
    const head = parse(halves[0]!);
    const tail = parse(halves[1]!);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0000'), ...tail];
  } else {
    const all = parse(text);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.join('');
}

/**
 * Parses `address/bits`; throws with event-ruler's messages. Bits below the mask are ignored, and a
 * full-length mask (/32, /128) is refused as Ruler does: an exact IP string does that job.
 */
export function parseCidr(text: string): IpRange {
  const parts = text.split('/');
  if (parts.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  const [address, bitsText] = parts as [string, string];
  if (/^-\d+$/.test(bitsText)) throw new Error('Malformed CIDR, mask bits must not be negative');
  if (!/^\d+$/.test(bitsText)) throw new Error('Malformed CIDR, mask bits must be an integer');
  const bits = Number(bitsText);
  const key = ipKey(address);
  if (key === undefined) throw new Error(`Nonstandard IP address: ${address}`);
  const v6 = key.length === 32;
  if (!v6 && bits >= 32) throw new Error('IPv4 mask bits must be < 32');
  if (v6 && bits >= 128) throw new Error('IPv6 mask bits must be < 128');
  const width = key.length * 4;
  const value = BigInt('0x' + key);
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  const low = (value & ~hostMask).toString(16).padStart(key.length, '0');
  const high = (value | hostMask).toString(16).padStart(key.length, '0');
  return { v6, bits, low, high };
}

export function isInRange(key: string, range: IpRange): boolean {
  return key.length === range.low.length && key >= range.low && key <= range.high;
}

/** The network part of an address key under a mask: equal for every address of one CIDR block. */
export function networkKey(key: string, bits: number): string {
  const width = key.length * 4;
  return `${key.length === 32 ? 6 : 4}/${bits}/${(BigInt('0x' + key) >> BigInt(width - bits)).toString(16)}`;
}
