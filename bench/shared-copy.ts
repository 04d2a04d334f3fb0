// What a value copy into or out of the store's shared memory costs: TypedArray.prototype.set straight across (V8's
// relaxed copy, byte by byte when the two ends' alignments differ) against src/core/store/shared-copy.ts (through a
// scratch buffer at the shared end's alignment). Each source sits one byte past an 8-byte boundary, as a value does
// at most offsets of a socket's chunk. In one process, the ways alternating in rounds. A tool, not a test: prints
// ns per copy (median of the rounds). Results: bench/results/shared-copy.md.
// Usage: node dist/bench/shared-copy.js [--rounds 7] [--copies 1000000]

import { bufferFromShared, copyIntoShared } from '../src/core/store/shared-copy.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = option('rounds', 7);
const COPIES = option('copies', 1_000_000);
const LENGTHS = [64, 256, 512, 1000, 4000, 16_000];
/** The shared region written: larger than L2, as an arena is, in steps that leave each copy's target cold. */
const REGION = 8 << 20;
const STEP = 16_392;

const shared = new Uint8Array(new SharedArrayBuffer(REGION + 32_768));
const source = Buffer.alloc(65_536 * 2, 7);

type Way = (length: number, view: Buffer, at: number) => unknown;
const ways: Record<string, Way> = {
  'into: set': (_length, view, at) => shared.set(view, at),
  'into: copyIntoShared': (_length, view, at) => copyIntoShared(shared, at, view),
  'out: allocUnsafe + set': (length, _view, at) => {
    const out = Buffer.allocUnsafe(length);
    out.set(shared.subarray(at + 1, at + 1 + length));
    return out;
  },
  'out: bufferFromShared': (length, _view, at) => bufferFromShared(shared, at + 1, length),
};

for (const length of LENGTHS) {
  const views = Array.from({ length: 16 }, (_, i) => source.subarray(i * 4096 + 1, i * 4096 + 1 + length));
  const rounds = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, way] of Object.entries(ways)) {
      const copies = Math.max(1000, Math.floor(COPIES / Math.max(1, length / 1000)));
      let at = 0;
      const started = process.hrtime.bigint();
      for (let i = 0; i < copies; i++) {
        way(length, views[i & 15], at);
        at = (at + STEP) % REGION;
      }
      const ns = Number(process.hrtime.bigint() - started) / copies;
      if (round > 0) rounds.get(name)?.push(ns); // round 0 warms the JIT
    }
  }
  for (const [name, ns] of rounds) {
    const sorted = [...ns].sort((x, y) => x - y);
    console.log(
      `${String(length).padStart(6)} bytes  ${name.padEnd(24)} ${sorted[sorted.length >> 1].toFixed(0)} ns`,
    );
  }
}
