// XINFO STREAM's radix-tree-nodes: how many nodes Redis's rax (rax.c) holds for a stream's node keys (each node's
// master ID, 16 bytes big-endian), counted from the keys alone, since this store keeps them in a sorted array.
// rax keeps its tree compressed: a node starts at the root, at every branching position, at each child of a
// branching position, and at each key's end (a leaf of no bytes); a run of single-child positions between
// them is one compressed node. All keys have the same length, so no key ends inside another's path.
// Pure: IDs in, a count out.

import { MAX_U64, type StreamId } from '../store/stream-id.js';

const KEY_BYTES = 16;

function keyBytes(id: StreamId): Buffer {
  const out = Buffer.alloc(KEY_BYTES);
  out.writeBigUInt64BE(id >> 64n, 0);
  out.writeBigUInt64BE(id & MAX_U64, 8);
  return out;
}

/** The nodes of a rax holding these keys (sorted, distinct); 1 (the empty root) for none. */
export function radixTreeNodes(ids: readonly StreamId[]): number {
  if (ids.length === 0) return 1;
  const keys = ids.map(keyBytes);
  return count(keys, 0, keys.length, 0, true);
}

/** Nodes starting at or below the position `depth` bytes into keys[lo..hi) (which share those bytes). */
function count(keys: readonly Buffer[], lo: number, hi: number, depth: number, nodeStart: boolean): number {
  if (depth === KEY_BYTES) return 1; // a key's end: a leaf node
  const groups: [number, number][] = [];
  for (let i = lo; i < hi;) {
    let j = i + 1;
    while (j < hi && keys[j][depth] === keys[i][depth]) j++;
    groups.push([i, j]);
    i = j;
  }
  if (groups.length === 1) return (nodeStart ? 1 : 0) + count(keys, lo, hi, depth + 1, false);
  let nodes = 1; // a branching position is a node of its own
  for (const [i, j] of groups) nodes += count(keys, i, j, depth + 1, true);
  return nodes;
}
