// Little-endian uint32 words at any byte offset of a byte array: the roots and headers the containers keep inside
// entries (dict.ts, skiplist.ts, quicklist.ts, intset.ts, listpack.ts) sit at unaligned offsets, where a Uint32Array
// cannot reach, and the Pub/Sub registry's records are laid out the same way. Pure byte arithmetic.

export function readU32(u8: Uint8Array, at: number): number {
  return (u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | (u8[at + 3] << 24)) >>> 0;
}

export function writeU32(u8: Uint8Array, at: number, value: number): void {
  u8[at] = value & 0xff;
  u8[at + 1] = (value >>> 8) & 0xff;
  u8[at + 2] = (value >>> 16) & 0xff;
  u8[at + 3] = value >>> 24;
}
