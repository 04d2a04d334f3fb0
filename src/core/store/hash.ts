// The key hash: MurmurHash3 x86_32 over the key bytes, seeded per store. Good low and high bits matter here:
// the low bits pick the segment and the bits above them pick the bucket. Pure function, no store knowledge.

export function hashKey(key: Uint8Array, seed: number): number {
  return hashBytes(key, 0, key.length, seed);
}

/** hashKey of bytes[start, start + n), with no view made of them. */
export function hashBytes(key: Uint8Array, start: number, n: number, seed: number): number {
  const blocks = n & ~3;
  let h = seed | 0;
  for (let i = start, last = start + blocks; i < last; i += 4) {
    let k = key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail !== 0) {
    const at = start + blocks;
    let k = key[at];
    if (tail > 1) k |= key[at + 1] << 8;
    if (tail > 2) k |= key[at + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
