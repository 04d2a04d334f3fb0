// Where the first argument of each RESP request buffered in one read lies, found ahead of parsing, so the store can
// warm those keys' memory together before the requests run one by one (store/warm-keys.ts). Most commands'
// first argument is their key; for the others the warming reads a little memory for nothing. A reader of
// framing only: it stops at anything that is not a well-formed RESP array of bulk strings (the parser answers
// for those), and a request cut off by the end of the read still counts once its first argument is whole.

import { MAX_WARMED_KEYS, type KeyPositions } from './store/warm-keys.js';

const STAR = 0x2a; // '*'
const DOLLAR = 0x24; // '$'
const CR = 0x0d;
const ZERO = 0x30;
/** Longer keys are not warmed: hashing them twice would cost more than a miss. */
const MAX_KEY_BYTES = 256;
/** A count or length of more digits than this is not one the parser would take either. */
const MAX_DIGITS = 10;

/** Reused by every session of a thread: they run one at a time. */
export const requestKeys: KeyPositions = {
  starts: new Int32Array(MAX_WARMED_KEYS),
  lengths: new Int32Array(MAX_WARMED_KEYS),
  count: 0,
};

/**
 * Finds the first argument of each request in buf[start, end), up to MAX_WARMED_KEYS, into `keys`, and returns
 * how many it found (also keys.count). Numbers are read inline into locals: it runs for every pipelined read.
 */
export function scanRequestKeys(buf: Uint8Array, start: number, end: number, keys: KeyPositions): number {
  let count = 0;
  let at = start;
  requests: while (count < MAX_WARMED_KEYS && at < end && buf[at] === STAR) {
    // The array's length: digits up to CR, then LF.
    let args = 0;
    let digits = 0;
    for (at++; at < end && buf[at] !== CR; at++, digits++) {
      const digit = buf[at] - ZERO;
      if (digit < 0 || digit > 9 || digits === MAX_DIGITS) break requests;
      args = args * 10 + digit;
    }
    at += 2;
    for (let arg = 0; arg < args; arg++) {
      if (at >= end || buf[at] !== DOLLAR) break requests; // cut off, or not RESP: the parser's to read
      let length = 0;
      digits = 0;
      for (at++; at < end && buf[at] !== CR; at++, digits++) {
        const digit = buf[at] - ZERO;
        if (digit < 0 || digit > 9 || digits === MAX_DIGITS) break requests;
        length = length * 10 + digit;
      }
      at += 2;
      if (at > end) break requests;
      if (arg === 1 && length <= MAX_KEY_BYTES && at + length <= end) {
        keys.starts[count] = at;
        keys.lengths[count] = length;
        count++;
      }
      at += length + 2;
    }
  }
  keys.count = count;
  return count;
}
