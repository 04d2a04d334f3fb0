// Copying bytes into and out of the store's shared memory at memcpy's speed. V8 copies to or from a
// SharedArrayBuffer (TypedArray.prototype.set, Buffer.copy) with relaxed atomic accesses, base::Relaxed_Memcpy:
// eight bytes at a time when both ends have the same alignment mod 8, one byte at a time when they do not. A value
// read from a socket sits at any offset of its chunk, so most copies of a value were the slow kind: a 1 KB value
// took 287 ns where an aligned copy takes 70 (Node 20, this machine). A longer copy whose ends disagree goes
// through a scratch buffer of this thread placed at the shared end's alignment: one copy that is all ordinary
// memory (a plain memmove), one that is word by word. Short copies stay a byte loop, where no call pays off.

/** At most this many bytes are copied by a loop in the caller's code. */
const LOOP_MAX = 64;
/**
 * From these lengths on, a misaligned copy is cheaper through the scratch buffer (measured with 320-4000 byte
 * copies: into shared memory 1 KB took 245 -> 123 ns, 4 KB 862 -> 242; out of it, with the Buffer's allocation,
 * 1 KB took 554 -> 360 ns; the two ways were even at about 350 and 600 bytes).
 */
const INTO_VIA_SCRATCH_MIN = 384;
const OUT_VIA_SCRATCH_MIN = 768;
/** The scratch buffer's size: longer copies go through it in pieces, so one huge value does not pin its size. */
const SCRATCH_BYTES = 64 * 1024;

const scratchBuffer = new ArrayBuffer(SCRATCH_BYTES + 8);
const scratch = new Uint8Array(scratchBuffer);
/**
 * The last view of the scratch buffer made for each skew (0-7): a run of values of one size (the common case, and
 * every benchmark's) reuses it instead of allocating a view per copy, a seventh of what a SET of 1 KB allocated on
 * the JavaScript heap (sampled with includeObjectsCollectedByMinorGC), all of it garbage for the next scavenge.
 */
const scratchViews: Uint8Array[] = Array.from(
  { length: 8 },
  (_, skew) => new Uint8Array(scratchBuffer, skew, 0),
);

/** The scratch buffer's `n` bytes from `skew`. */
function scratchView(skew: number, n: number): Uint8Array {
  let view = scratchViews[skew];
  if (view.length !== n) scratchViews[skew] = view = new Uint8Array(scratchBuffer, skew, n);
  return view;
}

/** Copies `bytes` (ordinary memory) into `shared` at `at`. */
export function copyIntoShared(shared: Uint8Array, at: number, bytes: Uint8Array): void {
  const length = bytes.length;
  if (length <= LOOP_MAX) {
    for (let i = 0; i < length; i++) shared[at + i] = bytes[i];
    return;
  }
  if (length < INTO_VIA_SCRATCH_MIN || ((shared.byteOffset + at - bytes.byteOffset) & 7) === 0) {
    shared.set(bytes, at);
    return;
  }
  for (let done = 0; done < length; done += SCRATCH_BYTES) {
    const n = Math.min(SCRATCH_BYTES, length - done);
    const skew = (shared.byteOffset + at + done) & 7;
    scratch.set(n === length ? bytes : bytes.subarray(done, done + n), skew);
    shared.set(scratchView(skew, n), at + done);
  }
}

/** Copies `length` bytes of `shared` from `start` into `out` (ordinary memory) at `outAt`. */
export function copyFromShared(
  shared: Uint8Array,
  start: number,
  length: number,
  out: Uint8Array,
  outAt = 0,
): void {
  if (length <= LOOP_MAX) {
    for (let i = 0; i < length; i++) out[outAt + i] = shared[start + i];
    return;
  }
  if (length < OUT_VIA_SCRATCH_MIN || ((shared.byteOffset + start - out.byteOffset - outAt) & 7) === 0) {
    out.set(shared.subarray(start, start + length), outAt);
    return;
  }
  for (let done = 0; done < length; done += SCRATCH_BYTES) {
    const n = Math.min(SCRATCH_BYTES, length - done);
    const skew = (shared.byteOffset + start + done) & 7;
    scratch.set(shared.subarray(start + done, start + done + n), skew);
    out.set(scratchView(skew, n), outAt + done);
  }
}

/** A new Buffer holding a copy of `length` bytes of `shared` from `start`. */
export function bufferFromShared(shared: Uint8Array, start: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  copyFromShared(shared, start, length, out);
  return out;
}
