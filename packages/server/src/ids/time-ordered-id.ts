/**
 * Time-ordered UUIDs (RFC 9562 version 7: 48-bit millisecond time, then random bits) for rows the
 * store indexes by id. Random v4 ids put every insert on a random B-tree page of each index over them;
 * with SQLite's WAL each dirtied page is written whole, then again at checkpoint. Measured with the
 * 0001 schema, 80 events a transaction: random ids 9,908 events/s and 36,781 bytes written per event,
 * time-ordered ids 52,438 events/s and 3,914 bytes (bench notes in docs/performance.md). They still
 * look like the UUIDs EventBridge returns as EventId.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Within one millisecond, ids keep increasing: the 12 bits after the version count up. */
let lastMs = -1;
let sequence = 0;

export function timeOrderedId(now: number = Date.now()): string {
  if (poolOffset + 8 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  if (now > lastMs) {
    lastMs = now;
    sequence = pool[poolOffset]! & 0x3f; // start low so the counter has room before it wraps
  } else {
    sequence = (sequence + 1) & 0xfff;
  }
  const r = pool.subarray(poolOffset, poolOffset + 8);
  poolOffset += 8;
  const ms = Math.max(now, lastMs);
  const high = Math.floor(ms / 0x1000000); // upper 24 bits of the 48-bit time
  const low = ms % 0x1000000; // lower 24 bits
  const time =
    HEX[(high >>> 16) & 0xff]! +
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[(low >>> 16) & 0xff]! +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]!;
  const versionAndSeq = (0x7000 | sequence).toString(16);
  const variant = HEX[(r[0]! & 0x3f) | 0x80]! + HEX[r[1]!]!;
  const tail = HEX[r[2]!]! + HEX[r[3]!]! + HEX[r[4]!]! + HEX[r[5]!]! + HEX[r[6]!]! + HEX[r[7]!]!;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${versionAndSeq}-${variant}-${tail}`;
}
