// The key hash: MurmurHash3 x86_32 over the key bytes, seeded per store. Good low and high bits matter here:
// the low bits pick the segment and the bits above them pick the bucket. Pure function, no store knowledge.

export function hashKey(key: Uint8Array, seed: number): number {
  const n = key.length;
  const blocks = n & ~3;
  let h = seed | 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail !== 0) {
    let k = key[blocks];
    if (tail > 1) k |= key[blocks + 1] << 8;
    if (tail > 2) k |= key[blocks + 2] << 16;
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
