/**
 * Synthetic San Francisco city-lot records shaped like event-ruler's citylots2 data set.
 *
 * Ruler's CityLots2 benchmark reads `citylots2.json.gz` (213,068 GeoJSON Features, about 900 bytes
 * each); the file is not redistributable here (see shared/bench-data/README.md), so this module makes
 * records of the same shape from a seeded PRNG:
 *
 *   {"type":"Feature","properties":{"MAPBLKLOT":"0001001","BLKLOT":"0001001","BLOCK_NUM":"0001",
 *    "LOT_NUM":"001","FROM_ST":"0","TO_ST":"0","STREET":"UNKNOWN","ST_TYPE":null,"ODD_EVEN":"E"},
 *    "geometry":{"type":"Polygon","coordinates":[[{"x":-122.42,"y":37.80,"z":0},...]],
 *    "firstCoordinates":{"x":...,"y":...,"z":0}}}
 *
 * How the data is laid out, and why:
 * - Records come block by block in MAPBLKLOT order (as the original file does). A block borders 2-4
 *   streets; its lots sit in two rows and neighbouring lots share an edge, so the same x/y doubles
 *   recur in several records, as they do in real parcel data (numeric "=" rules then find matches).
 * - About 4% of map lots are condominium groups: many records share one MAPBLKLOT, street, address and
 *   polygon, each with its own BLKLOT/LOT_NUM. That is how Ruler's rule `MAPBLKLOT = 3745012` finds 655
 *   records in the original.
 * - Street names and types are drawn from the weighted table below, whose weights are "records per
 *   213,068", chosen so that the Ruler rules' prefixes, suffixes and names match a share of records of
 *   the same order as in the original (ST the most common type, about half; some types null).
 * - Planted, so that every Ruler rule has something to find at any record count: map lots 1430022,
 *   2607117, 2607218 and 3745012 (condo groups sized like Ruler's counts, scaled to the record count),
 *   the specials VACSTWIL & co., the x value -122.42916360922355 and the y value 37.729900216217324
 *   used by the NUMERIC/COMPLEX_ARRAYS rules. Expected counts are never taken from Ruler: the
 *   benchmark computes them with the reference matcher over the generated records.
 * - MultiPolygon for about 0.06% of lots (Ruler: 120 of 213,068); their coordinates are nested one
 *   level deeper. z is 0 except for about 0.5% of lots.
 *
 * Same count + same seed => the same records, byte for byte, on every machine and Node version
 * (only integer arithmetic and IEEE-754 +,-,* on doubles, printed by JSON.stringify).
 */
import { createPrng, createWeightedPicker, type Prng } from './prng.js';

/** Number of records in Ruler's citylots2.json.gz (CityLots2State.DATASET_SIZE). */
export const CITYLOTS2_RECORDS = 213_068;

/** Seed of the default data set. Changing it changes every count printed by the benchmark. */
export const CITYLOTS_SEED = 0x5f_c1_7a_07;

const ENV_EVENTS = 'BUSWAY_BENCH_EVENTS';

/**
 * The number of records the benchmark uses: env BUSWAY_BENCH_EVENTS if set (a positive integer,
 * `_` separators allowed), else 213,068 like the original.
 */
export function benchEventCount(): number {
  const raw = process.env[ENV_EVENTS];
  if (raw === undefined || raw.trim() === '') return CITYLOTS2_RECORDS;
  const count = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(count) || count < MIN_RECORDS) {
    throw new Error(`${ENV_EVENTS} must be an integer >= ${MIN_RECORDS}, got ${JSON.stringify(raw)}`);
  }
  return count;
}

const MIN_RECORDS = 100;

type StreetType = string | null;
/** [name, type, records per 213,068]. */
type StreetEntry = readonly [name: string, type: StreetType, weight: number];

const RULE_STREETS: readonly StreetEntry[] = [
  // Named by Ruler's EQUALS_IGNORE_CASE / ANYTHING_BUT rules.
  ['FULTON', 'ST', 1910],
  ['MASON', 'ST', 2657],
  ['MASONIC', 'AVE', 293],
  ['JEFFERSON', 'ST', 131],
  ['BEACH', 'ST', 211],
  ['HYDE', 'ST', 1758],
  ['CHESTNUT', 'ST', 825],
  // Prefixes AC, BL, DR, FU, RH.
  ['ACADIA', 'ST', 40],
  ['BLAKE', 'ST', 120],
  ['BLANKEN', 'AVE', 180],
  ['BLUXOME', 'ST', 60],
  ['BLYTHDALE', 'AVE', 82],
  ['DRUMM', 'ST', 30],
  ['DRAKE', 'ST', 45],
  ['FUNSTON', 'AVE', 477],
  ['RHODE ISLAND', 'ST', 328],
  // Suffixes ON, KE, MM, ING, GO.
  ['JACKSON', 'ST', 2100],
  ['WASHINGTON', 'ST', 2200],
  ['CLAYTON', 'ST', 900],
  ['HARRISON', 'ST', 2500],
  ['MADISON', 'ST', 300],
  ['DIVISION', 'ST', 200],
  ['LYON', 'ST', 600],
  ['HUDSON', 'AVE', 400],
  ['GRAFTON', 'AVE', 300],
  ['ALBION', 'ST', 250],
  ['STOCKTON', 'ST', 1000],
  ['LAWTON', 'ST', 1500],
  ['THORNTON', 'AVE', 500],
  ['LONDON', 'ST', 700],
  ['LISBON', 'ST', 600],
  ['LAKE', 'ST', 626],
  ['BURKE', 'AVE', 100],
  ['IRVING', 'ST', 1400],
  ['KING', 'ST', 250],
  ['REDDING', 'ST', 150],
  ['LANSING', 'ST', 163],
  ['SANTIAGO', 'ST', 600],
  ['CHICAGO', 'WAY', 82],
];

const NUMBERED_AVENUES: readonly StreetEntry[] = Array.from({ length: 47 }, (_, i) => {
  const n = i + 2;
  return [ordinal(n), 'AVE', n >= 15 && n <= 48 ? 1450 : 950] as const;
});

const NUMBERED_STREETS: readonly StreetEntry[] = [
  ['2ND', 'ST', 600],
  ['3RD', 'ST', 1800],
  ['4TH', 'ST', 500],
  ['16TH', 'ST', 1400],
  ['17TH', 'ST', 1619],
  ['18TH', 'ST', 1500],
  ['19TH', 'ST', 1400],
  ['20TH', 'ST', 1400],
  ['21ST', 'ST', 1300],
  ['22ND', 'ST', 1300],
  ['23RD', 'ST', 1200],
  ['24TH', 'ST', 1400],
  ['25TH', 'ST', 1100],
  ['26TH', 'ST', 1000],
];

const OTHER_STREETS: readonly StreetEntry[] = [
  ['UNKNOWN', null, 8000],
  ['BROADWAY', null, 1500],
  ['THE EMBARCADERO', null, 300],
  ['LA PLAYA', null, 400],
  ['MISSION', 'ST', 3000],
  ['MARKET', 'ST', 1500],
  ['FOLSOM', 'ST', 1390],
  ['VALENCIA', 'ST', 1200],
  ['GUERRERO', 'ST', 1100],
  ['DOLORES', 'ST', 1000],
  ['CHURCH', 'ST', 1300],
  ['SANCHEZ', 'ST', 1400],
  ['NOE', 'ST', 1100],
  ['CASTRO', 'ST', 1300],
  ['DIAMOND', 'ST', 1000],
  ['DOUGLASS', 'ST', 800],
  ['LARKIN', 'ST', 1500],
  ['POLK', 'ST', 1200],
  ['LEAVENWORTH', 'ST', 1200],
  ['JONES', 'ST', 1100],
  ['TAYLOR', 'ST', 1000],
  ['POWELL', 'ST', 1000],
  ['BUSH', 'ST', 1300],
  ['PINE', 'ST', 1200],
  ['CALIFORNIA', 'ST', 2200],
  ['SACRAMENTO', 'ST', 2000],
  ['CLAY', 'ST', 1300],
  ['PACIFIC', 'AVE', 1300],
  ['VALLEJO', 'ST', 1200],
  ['GREEN', 'ST', 1200],
  ['UNION', 'ST', 1400],
  ['FILBERT', 'ST', 1300],
  ['GREENWICH', 'ST', 1100],
  ['LOMBARD', 'ST', 1400],
  ['BAY', 'ST', 700],
  ['NORTH POINT', 'ST', 500],
  ['FRANCISCO', 'ST', 900],
  ['PAGE', 'ST', 1000],
  ['HAIGHT', 'ST', 1000],
  ['OAK', 'ST', 900],
  ['FELL', 'ST', 800],
  ['HAYES', 'ST', 900],
  ['GROVE', 'ST', 900],
  ['MCALLISTER', 'ST', 1000],
  ['EDDY', 'ST', 800],
  ['TURK', 'ST', 800],
  ['ELLIS', 'ST', 800],
  ["O'FARRELL", 'ST', 800],
  ['POST', 'ST', 900],
  ['SUTTER', 'ST', 1000],
  ['TARAVAL', 'ST', 2000],
  ['ULLOA', 'ST', 1400],
  ['VICENTE', 'ST', 1400],
  ['WAWONA', 'ST', 1200],
  ['NORIEGA', 'ST', 2000],
  ['ORTEGA', 'ST', 1600],
  ['PACHECO', 'ST', 1400],
  ['QUINTARA', 'ST', 1600],
  ['RIVERA', 'ST', 1600],
  ['KIRKHAM', 'ST', 1500],
  ['JUDAH', 'ST', 1600],
  ['MORAGA', 'ST', 1500],
  ['BALBOA', 'ST', 1500],
  ['CABRILLO', 'ST', 1500],
  ['ANZA', 'ST', 1600],
  ['CLEMENT', 'ST', 1500],
  ['NAPLES', 'ST', 700],
  ['VIENNA', 'ST', 600],
  ['ATHENS', 'ST', 600],
  ['MOSCOW', 'ST', 600],
  ['PARIS', 'ST', 700],
  ['MADRID', 'ST', 600],
  ['EDINBURGH', 'ST', 600],
  ['INGALLS', 'ST', 500],
  ['OCEAN', 'AVE', 1500],
  ['SAN BRUNO', 'AVE', 1200],
  ['POTRERO', 'AVE', 800],
  ['EXCELSIOR', 'AVE', 900],
  ['GENEVA', 'AVE', 1000],
  ['SILVER', 'AVE', 1100],
  ['GOLDEN GATE', 'AVE', 1000],
  ['VAN NESS', 'AVE', 900],
  ['HOLLOWAY', 'AVE', 700],
  ['PRECITA', 'AVE', 300],
  ['CORTLAND', 'AVE', 500],
  ['PALOU', 'AVE', 700],
  ['QUESADA', 'AVE', 600],
  ['REVERE', 'AVE', 600],
  ['SHAFTER', 'AVE', 600],
  ['WILLIAMS', 'AVE', 400],
  ['YOSEMITE', 'AVE', 500],
  ['JAMESTOWN', 'AVE', 300],
  ['CAYUGA', 'AVE', 800],
  ['ITALY', 'AVE', 500],
  ['FRANCE', 'AVE', 400],
  ['RUSSIA', 'AVE', 500],
  ['PERSIA', 'AVE', 500],
  ['CORBETT', 'AVE', 400],
  ['GEARY', 'BLVD', 1500],
  ['SUNSET', 'BLVD', 400],
  ['MONTEREY', 'BLVD', 700],
  ['ALEMANY', 'BLVD', 900],
  ['DIAMOND HEIGHTS', 'BLVD', 300],
  ['JUNIPERO SERRA', 'BLVD', 500],
  ['TWIN PEAKS', 'BLVD', 350],
  ['MARINA', 'BLVD', 250],
  ['BAYSHORE', 'BLVD', 400],
  ['SLOAT', 'BLVD', 400],
  ["O'SHAUGHNESSY", 'BLVD', 200],
  ['PARK PRESIDIO', 'BLVD', 300],
  ['LINCOLN', 'WAY', 800],
  ['MYRA', 'WAY', 200],
  ['BERKELEY', 'WAY', 100],
  ['PORTOLA', 'DR', 600],
  ['CRESTMONT', 'DR', 300],
  ['CRESTA VISTA', 'DR', 150],
  ['TOMASO', 'CT', 400],
  ['MARIETTA', 'CT', 350],
  ['ELK GLEN', 'CT', 300],
  ['CAYUGA', 'CT', 250],
  ['PRESIDIO', 'CT', 250],
  ['RITCH', 'PL', 200],
  ['JASPER', 'PL', 100],
  ['BRET HARTE', 'TER', 150],
  ['MIGUEL', 'LN', 120],
  ['HARWOOD', 'ALY', 80],
  ['GREAT', 'HWY', 300],
  ['GALEWOOD', 'CIR', 80],
  ['VULCAN', 'STWY', 15],
];

const STREETS: readonly StreetEntry[] = [
  ...RULE_STREETS,
  ...NUMBERED_AVENUES,
  ...NUMBERED_STREETS,
  ...OTHER_STREETS,
];

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}TH`;
  const suffix = ['TH', 'ST', 'ND', 'RD'][n % 10] ?? 'TH';
  return `${n}${suffix}`;
}

/** San Francisco's extent, degrees. */
const WEST = -122.512;
const EAST = -122.357;
const SOUTH = 37.708;
const NORTH = 37.832;

/** Assessor block numbers run 0001..~7600; records per block in the original average about 47. */
const LAST_BLOCK = 7599;
const RECORDS_PER_BLOCK = 47;

/** MAPBLKLOT values that Ruler's EXACT rules name; sizes are Ruler's counts (scaled by count/213,068). */
const PLANTED_MAP_LOTS: readonly { block: number; lot: number; records: number }[] = [
  { block: 1430, lot: 22, records: 1 },
  { block: 2607, lot: 117, records: 101 },
  { block: 2607, lot: 218, records: 35 },
  { block: 3745, lot: 12, records: 655 },
];

/** Vacated streets and other non-numeric parcels, appended after the last block. */
const SPECIAL_MAP_LOTS: readonly string[] = ['VACSTWIL', 'VACSTCRN', 'VACSTBAL', 'VACSTPRS'];

/** Exact doubles used by Ruler's NUMERIC and COMPLEX_ARRAYS rules, planted into one block. */
const PLANTED_X = -122.42916360922355;
const PLANTED_Y = 37.729900216217324;

interface Point {
  x: number;
  y: number;
  z: number;
}

interface MapLot {
  lot: number;
  records: number;
  multiPolygon: boolean;
  /** Polygon corners; row 0 lots keep their west edge at `west`, etc. */
  west: number;
  east: number;
  south: number;
  north: number;
}

interface BlockStreet {
  name: string;
  type: StreetType;
  nextAddress: number;
  odd: boolean;
}

/**
 * `count` records as JSON text, one event per string (no trailing newline), deterministic in
 * (`count`, `seed`).
 */
export function generateCityLots(count: number = benchEventCount(), seed: number = CITYLOTS_SEED): string[] {
  if (!Number.isInteger(count) || count < MIN_RECORDS) {
    throw new Error(`generateCityLots: count must be an integer >= ${MIN_RECORDS}, got ${count}`);
  }
  const prng = createPrng(seed);
  const pickStreet = createWeightedPicker(STREETS.map((s) => [s, s[2]] as const));
  const scale = count / CITYLOTS2_RECORDS;

  const planted = PLANTED_MAP_LOTS.map((p) => ({
    ...p,
    records: Math.min(800, Math.max(1, Math.round(p.records * scale))),
  }));
  const plantedRecords = planted.reduce((sum, p) => sum + p.records, 0);
  const ordinaryRecords = count - plantedRecords - SPECIAL_MAP_LOTS.length;

  // Block numbers spread evenly over 1..7599, with the planted blocks forced in (each replaces the
  // block number nearest to it, so the list stays sorted and unique).
  const blockCount = Math.max(4, Math.min(LAST_BLOCK, Math.round(ordinaryRecords / RECORDS_PER_BLOCK)));
  const blockNumbers = Array.from(
    { length: blockCount },
    (_, i) => 1 + Math.floor((i * LAST_BLOCK) / blockCount),
  );
  for (const block of new Set(planted.map((p) => p.block))) {
    let nearest = 0;
    for (let i = 1; i < blockNumbers.length; i++) {
      if (Math.abs((blockNumbers[i] ?? 0) - block) < Math.abs((blockNumbers[nearest] ?? 0) - block))
        nearest = i;
    }
    blockNumbers[nearest] = block;
  }
  const coordinateBlock = Math.floor(blockCount * 0.37);

  const out: string[] = [];
  for (let i = 0; i < blockCount; i++) {
    const blockNumber = blockNumbers[i] ?? i + 1;
    const quota =
      Math.floor(((i + 1) * ordinaryRecords) / blockCount) - Math.floor((i * ordinaryRecords) / blockCount);
    const blockPlanted = planted.filter((p) => p.block === blockNumber);
    generateBlock(out, prng, pickStreet, blockNumber, quota, blockPlanted, i === coordinateBlock);
  }
  for (const special of SPECIAL_MAP_LOTS) {
    const lot = singleLot(prng, 0, randomBetween(prng, WEST, EAST), randomBetween(prng, SOUTH, NORTH));
    out.push(
      record(
        {
          MAPBLKLOT: special,
          BLKLOT: special,
          BLOCK_NUM: special.slice(0, 4),
          LOT_NUM: special.slice(4),
          FROM_ST: '0',
          TO_ST: '0',
          STREET: 'UNKNOWN',
          ST_TYPE: null,
          ODD_EVEN: 'E',
        },
        geometryJson(prng, lot, 0),
      ),
    );
  }
  if (out.length !== count) throw new Error(`generateCityLots: made ${out.length} records, wanted ${count}`);
  return out;
}

function generateBlock(
  out: string[],
  prng: Prng,
  pickStreet: (prng: Prng) => StreetEntry,
  blockNumber: number,
  quota: number,
  planted: readonly { lot: number; records: number }[],
  plantCoordinates: boolean,
): void {
  const block = pad(blockNumber, 4);

  // Streets around the block: 2-4 distinct draws from the city-wide table.
  const streets: BlockStreet[] = [];
  const wanted = prng.int(2, 4);
  for (let tries = 0; streets.length < wanted && tries < 12; tries++) {
    const [name, type] = pickStreet(prng);
    if (streets.some((s) => s.name === name)) continue;
    // Low street numbers are more common: hundreds block drawn with a square-law skew.
    const hundred = Math.floor(48 * prng.nextFloat() ** 2);
    streets.push({ name, type, nextAddress: hundred * 100 + prng.int(1, 20), odd: prng.chance(0.5) });
  }

  // Map lots: ordinary lots (4% condo groups) until the quota is used, then the planted ones.
  const lots: { lot: number; records: number }[] = [];
  const reserved = new Set(planted.map((p) => p.lot));
  let remaining = quota;
  let lotNumber = 0;
  while (remaining > 0) {
    lotNumber += prng.chance(0.9) ? 1 : prng.int(2, 4);
    if (reserved.has(lotNumber)) continue;
    let records = 1;
    if (prng.chance(0.04)) records = 2 + Math.floor(Math.exp(prng.nextFloat() * Math.log(40)));
    records = Math.min(records, remaining);
    lots.push({ lot: lotNumber, records });
    remaining -= records;
  }
  lots.push(...planted);
  lots.sort((a, b) => a.lot - b.lot);

  // Geometry: the block is a rectangle; lots split it into two rows along shared grid lines.
  const width = randomBetween(prng, 0.0018, 0.0042);
  const height = randomBetween(prng, 0.0008, 0.0016);
  let west = randomBetween(prng, WEST, EAST - width);
  let south = randomBetween(prng, SOUTH, NORTH - height);
  if (plantCoordinates) {
    west = PLANTED_X - width * 0.31;
    south = PLANTED_Y;
  }
  const middle = south + height * randomBetween(prng, 0.42, 0.58);
  const rowSizes = [Math.ceil(lots.length / 2), Math.floor(lots.length / 2)];
  const mapLots: MapLot[] = [];
  for (let row = 0; row < 2; row++) {
    const n = rowSizes[row] ?? 0;
    const weights = Array.from({ length: n }, () => randomBetween(prng, 0.6, 1.6));
    const total = weights.reduce((a, b) => a + b, 0);
    let x = west;
    for (let k = 0; k < n; k++) {
      const lot = lots[mapLots.length];
      if (lot === undefined) break;
      const next = k === n - 1 ? west + width : x + (width * (weights[k] ?? 1)) / total;
      mapLots.push({
        lot: lot.lot,
        records: lot.records,
        multiPolygon: prng.chance(0.0006),
        west: x,
        east: next,
        south: row === 0 ? south : middle,
        north: row === 0 ? middle : south + height,
      });
      x = next;
    }
  }
  if (plantCoordinates) {
    // Lot 2 of each row starts on grid line x = PLANTED_X; lot 1 of row 0 becomes a MultiPolygon
    // whose south edge lies on y = PLANTED_Y.
    for (const rowStart of [0, rowSizes[0] ?? 0]) {
      const first = mapLots[rowStart];
      const second = mapLots[rowStart + 1];
      if (first && second) {
        first.east = PLANTED_X;
        second.west = PLANTED_X;
      }
    }
    const firstLot = mapLots[0];
    if (firstLot) firstLot.multiPolygon = true;
  }

  let unitLot = 100;
  for (const mapLot of mapLots) {
    // Most lots front one of the block's own streets; corner lots and alley lots (15%) draw from the
    // city-wide table, which also keeps rare names (ACADIA, DRUMM) from clumping into a single block.
    const street = prng.chance(0.03)
      ? undefined
      : prng.chance(0.85)
        ? prng.pick(streets)
        : cityStreet(prng, pickStreet);
    const from = street ? street.nextAddress + (street.odd === (street.nextAddress % 2 === 1) ? 0 : 1) : 0;
    if (street) street.nextAddress = from + 2 * prng.int(1, 4);
    const to = from === 0 ? 0 : from + (prng.chance(0.6) ? 0 : 2 * prng.int(1, 3));
    const geometry = geometryJson(prng, mapLot, prng.chance(0.005) ? prng.int(1, 90) : 0);
    const mapBlkLot = block + pad(mapLot.lot, 3);
    for (let unit = 0; unit < mapLot.records; unit++) {
      // Condo units get their own lot numbers; LOT_NUM stays 3 characters.
      const lotNum = mapLot.records === 1 ? pad(mapLot.lot, 3) : pad(Math.min(999, unitLot++), 3);
      out.push(
        record(
          {
            MAPBLKLOT: mapBlkLot,
            BLKLOT: block + lotNum,
            BLOCK_NUM: block,
            LOT_NUM: lotNum,
            FROM_ST: String(from),
            TO_ST: String(to),
            STREET: street ? street.name : 'UNKNOWN',
            ST_TYPE: street ? street.type : null,
            ODD_EVEN: from % 2 === 1 ? 'O' : 'E',
          },
          geometry,
        ),
      );
    }
  }
}

function cityStreet(prng: Prng, pickStreet: (prng: Prng) => StreetEntry): BlockStreet {
  const [name, type] = pickStreet(prng);
  return {
    name,
    type,
    nextAddress: Math.floor(48 * prng.nextFloat() ** 2) * 100 + prng.int(1, 99),
    odd: prng.chance(0.5),
  };
}

function singleLot(prng: Prng, lot: number, west: number, south: number): MapLot {
  return {
    lot,
    records: 1,
    multiPolygon: false,
    west,
    east: west + randomBetween(prng, 0.0001, 0.0004),
    south,
    north: south + randomBetween(prng, 0.0001, 0.0003),
  };
}

interface Properties {
  MAPBLKLOT: string;
  BLKLOT: string;
  BLOCK_NUM: string;
  LOT_NUM: string;
  FROM_ST: string;
  TO_ST: string;
  STREET: string;
  ST_TYPE: string | null;
  ODD_EVEN: string;
}

/**
 * The record as a flat string. Concatenation makes V8 cons-strings (ropes) whose geometry part is
 * shared by condo units; a matcher scanning them with charCodeAt would then be measured on a string
 * shape that events read from a socket or a file never have. The UTF-8 round trip makes a fresh
 * sequential string, like Ruler's lines read from the gzip file.
 */
function record(properties: Properties, geometry: string): string {
  const text = `{"type":"Feature","properties":${JSON.stringify(properties)},"geometry":${geometry}}`;
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * A lot's polygon: its rectangle, closed, with 0-40 extra points along the edges (jittered a few
 * centimetres, like surveyed boundaries). About 11 points on average, which puts records near 900 bytes.
 */
function ring(prng: Prng, lot: MapLot, z: number): Point[] {
  const corners: Point[] = [
    { x: lot.west, y: lot.south, z },
    { x: lot.east, y: lot.south, z },
    { x: lot.east, y: lot.north, z },
    { x: lot.west, y: lot.north, z },
  ];
  const shape = prng.nextFloat();
  const extra =
    shape < 0.36 ? 0 : shape < 0.68 ? prng.int(1, 5) : shape < 0.9 ? prng.int(6, 16) : prng.int(17, 40);
  const points: Point[] = [];
  for (let edge = 0; edge < 4; edge++) {
    const from = corners[edge] as Point;
    const to = corners[(edge + 1) % 4] as Point;
    points.push(from);
    const inserts = Math.floor(extra / 4) + (edge < extra % 4 ? 1 : 0);
    for (let k = 1; k <= inserts; k++) {
      const t = k / (inserts + 1);
      points.push({
        x: from.x + (to.x - from.x) * t + (prng.nextFloat() - 0.5) * 4e-7,
        y: from.y + (to.y - from.y) * t + (prng.nextFloat() - 0.5) * 4e-7,
        z,
      });
    }
  }
  points.push(corners[0] as Point);
  return points;
}

function geometryJson(prng: Prng, lot: MapLot, z: number): string {
  const outer = ring(prng, lot, z);
  const first = outer[0] as Point;
  if (!lot.multiPolygon) {
    return JSON.stringify({ type: 'Polygon', coordinates: [outer], firstCoordinates: first });
  }
  // A detached second piece (a sliver across an alley), north-east of the main one.
  const dx = (lot.east - lot.west) * 0.4;
  const dy = (lot.north - lot.south) * 0.3;
  const piece = ring(
    prng,
    { ...lot, west: lot.east + dx, east: lot.east + 2 * dx, south: lot.north, north: lot.north + dy },
    z,
  );
  return JSON.stringify({ type: 'MultiPolygon', coordinates: [[outer], [piece]], firstCoordinates: first });
}

function randomBetween(prng: Prng, min: number, max: number): number {
  return min + (max - min) * prng.nextFloat();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
