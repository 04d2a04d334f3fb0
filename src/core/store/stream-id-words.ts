// A stream ID's 16 big-endian bytes (as the store keeps IDs: index slots, PEL records) read as four 32-bit words, or
// as two numbers (ms, seq) when each is exact below 2^53, so hot paths compare and add IDs without a bigint per
// step. Exactness: a word pair above 2^53 reads as a rounded number that is still above every exact one, so
// comparing an exact ID against it stays right; callers that need the exact value of such an ID use the bigint.
// Pure.

import { MAX_U64, type StreamId } from './stream-id.js';

/** An ID as its four 32-bit words, most significant first. */
export type IdWords = readonly [number, number, number, number];

export function idWords(id: StreamId): IdWords {
  const ms = id >> 64n;
  const seq = id & MAX_U64;
  return [Number(ms >> 32n), Number(ms & 0xffffffffn), Number(seq >> 32n), Number(seq & 0xffffffffn)];
}

export function u32be(u8: Uint8Array, at: number): number {
  return ((u8[at] << 24) | (u8[at + 1] << 16) | (u8[at + 2] << 8) | u8[at + 3]) >>> 0;
}

/** The 16-byte ID at `at` against `key`: negative, 0 or positive. */
export function compareIdAt(u8: Uint8Array, at: number, key: IdWords): number {
  for (let k = 0; k < 4; k++) {
    const w = u32be(u8, at + k * 4);
    if (w !== key[k]) return w < key[k] ? -1 : 1;
  }
  return 0;
}

let viewOf: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/** One DataView per arena view (the arena re-makes its views when it grows), for the reads Buffer would allocate. */
export function dataViewOf(u8: Uint8Array): DataView {
  if (u8 !== viewOf) {
    viewOf = u8;
    view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  }
  return view;
}

export function readIdAt(u8: Uint8Array, at: number): StreamId {
  const dv = dataViewOf(u8);
  return (dv.getBigUint64(at) << 64n) | dv.getBigUint64(at + 8);
}

export function writeIdWordsAt(u8: Uint8Array, at: number, key: IdWords): void {
  for (let k = 0; k < 4; k++) {
    const w = key[k];
    u8[at + k * 4] = w >>> 24;
    u8[at + k * 4 + 1] = (w >>> 16) & 0xff;
    u8[at + k * 4 + 2] = (w >>> 8) & 0xff;
    u8[at + k * 4 + 3] = w & 0xff;
  }
}

/** The 64-bit half of an ID at `at` (8 bytes big-endian) as a number: exact below 2^53, else rounded up-ish. */
export function u64NumberAt(u8: Uint8Array, at: number): number {
  return u32be(u8, at) * 0x100000000 + u32be(u8, at + 4);
}
