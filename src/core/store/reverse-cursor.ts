// The cursor of Redis's dictScan (dict.c): buckets visited in reverse-binary order, so a table that doubles or
// halves between two calls neither skips a bucket nor restarts the walk. Used by SCAN over the keyspace and by the
// containers' own scans (HSCAN, SSCAN, ZSCAN over dict.ts). Pure arithmetic.

/** The bucket after v over the bits of mask (buckets - 1); 0 means the table was covered. */
export function nextReverseCursor(v: number, mask: number): number {
  let x = (v | ~mask) >>> 0;
  x = reverseBits(x);
  x = (x + 1) >>> 0;
  return reverseBits(x);
}

function reverseBits(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}
