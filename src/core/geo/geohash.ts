// The 52-bit geohash a GEO sorted set scores its members with (Redis 7.0's geohash.c): longitude and latitude
// each cut into 2^26 steps of their range (latitude only to +-85.05112878, the Web Mercator limit), their bits
// interleaved (latitude in the even bits), and the cells around a cell. Redis computes in uint64_t; a hash here
// is a pair of 32-bit words (hi, lo) so no BigInt is made per point. Pure: numbers in, numbers out.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

/** A hash of `step` bits per coordinate (2 * step bits in all), as hi:lo 32-bit words. step 0 and 0 bits: none. */
export interface GeoHashBits {
  readonly hi: number;
  readonly lo: number;
  readonly step: number;
}

export const ZERO_HASH: GeoHashBits = { hi: 0, lo: 0, step: 0 };

export interface GeoHashRange {
  readonly min: number;
  readonly max: number;
}

/** The cell a hash names. */
export interface GeoHashArea {
  readonly longitude: GeoHashRange;
  readonly latitude: GeoHashRange;
}

export const LONG_RANGE: GeoHashRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const LAT_RANGE: GeoHashRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

export const isZeroHash = (h: GeoHashBits): boolean => h.hi === 0 && h.lo === 0 && h.step === 0;

const TWO_32 = 2 ** 32;

/** The low 16 bits of x spread to the even bits of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** The even bits of a 32-bit word gathered into 16 bits. */
function gather16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** interleave64: x's bits in the even positions, y's in the odd (x, y < 2^32). */
function interleave(x: number, y: number, step: number): GeoHashBits {
  return {
    lo: (spread16(x) | (spread16(y) << 1)) >>> 0,
    hi: (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0,
    step,
  };
}

/** geohashEncode: null where Redis returns 0 (coordinates outside the ranges). */
export function geohashEncode(
  longRange: GeoHashRange,
  latRange: GeoHashRange,
  longitude: number,
  latitude: number,
  step: number,
): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (
    longitude > GEO_LONG_MAX ||
    longitude < GEO_LONG_MIN ||
    latitude > GEO_LAT_MAX ||
    latitude < GEO_LAT_MIN
  )
    return null;
  if (
    latitude < latRange.min ||
    latitude > latRange.max ||
    longitude < longRange.min ||
    longitude > longRange.max
  )
    return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // The double -> uint32_t conversion truncates (the offsets are >= 0 and at most 2^step).
  return interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0, step);
}

/** geohashEncodeWGS84. */
export function geohashEncodeWGS84(longitude: number, latitude: number, step: number): GeoHashBits | null {
  return geohashEncode(LONG_RANGE, LAT_RANGE, longitude, latitude, step);
}

/** geohashAlign52Bits: the hash shifted to 52 bits, the sorted set score (exact in a double). */
export function align52(hash: GeoHashBits): number {
  return (hash.hi * TWO_32 + hash.lo) * 2 ** (52 - hash.step * 2);
}

/**
 * geo.c scoresOfGeoHashBox: the scores [min, max) of every point inside the cell `hash` (its bits, then its bits
 * plus one, aligned to 52 bits).
 */
export function scoresOfBox(hash: GeoHashBits): [number, number] {
  const bits = hash.hi * TWO_32 + hash.lo;
  const scale = 2 ** (52 - hash.step * 2);
  return [bits * scale, (bits + 1) * scale];
}

/**
 * `(uint64_t)score` as gcc compiles it on x86-64 (cvttsd2si): truncated; below 2^63 a signed conversion (a
 * negative score wraps to 2^64 - n; -inf and <= -2^63 give 2^63), from 2^63 on 2^63 is subtracted first (2^64
 * and more, inf too, give 0). Scores ZADD wrote that no GEOADD would are decoded this way by GEOPOS and kin.
 */
export function uint64OfScore(score: number): GeoHashBits {
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    return { hi: Math.floor(t / TWO_32), lo: (t % TWO_32) >>> 0, step: GEO_STEP_MAX };
  }
  const INDEFINITE = 1n << 63n;
  let bits: bigint;
  if (score >= 2 ** 63) {
    const rest = score - 2 ** 63;
    bits = rest >= 2 ** 63 ? 0n : BigInt(Math.trunc(rest)) ^ INDEFINITE;
  } else if (!Number.isFinite(score) || score <= -(2 ** 63)) {
    bits = INDEFINITE;
  } else {
    bits = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  }
  return { hi: Number(bits >> 32n), lo: Number(bits & 0xffffffffn), step: GEO_STEP_MAX };
}

/** geohashDecode: the cell of a hash; null for the zero hash. */
export function geohashDecode(
  longRange: GeoHashRange,
  latRange: GeoHashRange,
  hash: GeoHashBits,
): GeoHashArea | null {
  if (isZeroHash(hash)) return null;
  const step = hash.step;
  // deinterleave64: the even bits are the latitude's, the odd ones the longitude's.
  const ilato = (gather16(hash.lo) | (gather16(hash.hi) << 16)) >>> 0;
  const ilono = (gather16(hash.lo >>> 1) | (gather16(hash.hi >>> 1) << 16)) >>> 0;
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const cells = 2 ** step;
  return {
    latitude: {
      min: latRange.min + ((ilato * 1.0) / cells) * latScale,
      max: latRange.min + (((ilato + 1) * 1.0) / cells) * latScale,
    },
    longitude: {
      min: longRange.min + ((ilono * 1.0) / cells) * longScale,
      max: longRange.min + (((ilono + 1) * 1.0) / cells) * longScale,
    },
  };
}

/** geo.c decodeGeohash: a member's score to its longitude and latitude. */
export function decodeScore(score: number): [number, number] {
  const out = new Float64Array(2);
  decodeScoreInto(score, out);
  return [out[0], out[1]];
}

const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;
const CELLS = 2 ** GEO_STEP_MAX;

/**
 * decodeScore into out[0] (longitude) and out[1] (latitude), allocating nothing: a search decodes every element
 * of its nine cells. The same arithmetic as geohashDecode and geohashDecodeToLongLat at step 26, in their order.
 */
export function decodeScoreInto(score: number, out: Float64Array): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 2 ** 53 && Number.isInteger(score)) {
    hi = Math.floor(score / TWO_32);
    lo = (score - hi * TWO_32) >>> 0;
  } else {
    const bits = uint64OfScore(score);
    hi = bits.hi;
    lo = bits.lo;
  }
  const ilato = (gather16(lo) | (gather16(hi) << 16)) >>> 0;
  const ilono = (gather16(lo >>> 1) | (gather16(hi >>> 1) << 16)) >>> 0;
  const latMin = GEO_LAT_MIN + ((ilato * 1.0) / CELLS) * LAT_SCALE;
  const latMax = GEO_LAT_MIN + (((ilato + 1) * 1.0) / CELLS) * LAT_SCALE;
  const longMin = GEO_LONG_MIN + ((ilono * 1.0) / CELLS) * LONG_SCALE;
  const longMax = GEO_LONG_MIN + (((ilono + 1) * 1.0) / CELLS) * LONG_SCALE;
  let x = (longMin + longMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  out[0] = x;
  out[1] = y;
}

// ---- Neighbours (geohash_move_x / geohash_move_y over the 2 * step low bits) ----

const BIG_ODD = 0xaaaaaaaaaaaaaaaan;
const BIG_EVEN = 0x5555555555555555n;
const MASK64 = (1n << 64n) - 1n;

const toBig = (h: GeoHashBits): bigint => (BigInt(h.hi) << 32n) | BigInt(h.lo);
const fromBig = (bits: bigint, step: number): GeoHashBits => ({
  hi: Number((bits >> 32n) & 0xffffffffn),
  lo: Number(bits & 0xffffffffn),
  step,
});

/** A uint64_t right shift by 64 - 2 * step, as x86-64 does it: the count is taken modulo 64. */
const shiftFor = (step: number): bigint => BigInt((64 - step * 2) & 63);

/** Moves one cell east (d > 0) or west (d < 0), wrapping: the longitude is in the odd bits. */
function moveX(hash: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return hash;
  const bits = toBig(hash);
  let x = bits & BIG_ODD;
  const y = bits & BIG_EVEN;
  const zz = BIG_EVEN >> shiftFor(hash.step);
  if (d > 0) x = (x + (zz + 1n)) & MASK64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & MASK64;
  }
  x &= BIG_ODD >> shiftFor(hash.step);
  return fromBig(x | y, hash.step);
}

/** Moves one cell north (d > 0) or south (d < 0), wrapping: the latitude is in the even bits. */
function moveY(hash: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return hash;
  const bits = toBig(hash);
  const x = bits & BIG_ODD;
  let y = bits & BIG_EVEN;
  const zz = BIG_ODD >> shiftFor(hash.step);
  if (d > 0) y = (y + (zz + 1n)) & MASK64;
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & MASK64;
  }
  y &= BIG_EVEN >> shiftFor(hash.step);
  return fromBig(x | y, hash.step);
}

export interface GeoHashNeighbors {
  north: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  south: GeoHashBits;
  north_east: GeoHashBits;
  south_east: GeoHashBits;
  north_west: GeoHashBits;
  south_west: GeoHashBits;
}

/** geohashNeighbors. */
export function geohashNeighbors(hash: GeoHashBits): GeoHashNeighbors {
  return {
    east: moveY(moveX(hash, 1), 0),
    west: moveY(moveX(hash, -1), 0),
    south: moveY(moveX(hash, 0), -1),
    north: moveY(moveX(hash, 0), 1),
    north_west: moveY(moveX(hash, -1), 1),
    north_east: moveY(moveX(hash, 1), 1),
    south_east: moveY(moveX(hash, 1), -1),
    south_west: moveY(moveX(hash, -1), -1),
  };
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's 11 characters for a point: re-encoded over the standard latitude range -90..90 (Redis's own cells
 * stop at +-85.05), 5 bits a character from the top of the 52; the 11th is always '0'.
 */
export function standardGeohash(longitude: number, latitude: number): string {
  const hash = geohashEncode({ min: -180, max: 180 }, { min: -90, max: 90 }, longitude, latitude, 26);
  // Redis ignores a failed encoding and prints the zeroed hash.
  const bits = hash === null ? 0 : hash.hi * TWO_32 + hash.lo;
  let out = '';
  for (let i = 0; i < 11; i++) {
    const index = i === 10 ? 0 : Math.floor(bits / 2 ** (52 - (i + 1) * 5)) & 0x1f;
    out += GEO_ALPHABET[index];
  }
  return out;
}
