// Operations over several keys at one instant: MGET, MSET/MSETNX, DEL, EXISTS, RENAME/RENAMENX, COPY (Redis's
// t_string.c and db.c). Each runs its *Locked body holding the locks of all its keys' segments at once, taken
// in the lock order written in access.ts, so other threads see it happen all or nothing. Knows no command
// syntax and no memory layout.

import { CommandError, ERR } from '../errors.js';
import type { TableAccess } from './access.js';
import type { Bytes } from './types.js';
import { cloneLocked, storeAllLocked } from './values.js';
import { touchLocked } from './watch.js';

export function mget(a: TableAccess, keys: readonly Bytes[]): (Buffer | null)[] {
  return a.withKeys(keys, false, mgetLocked);
}

function mgetLocked(a: TableAccess, hashes: number[], keys: readonly Bytes[]): (Buffer | null)[] {
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < keys.length; i++) {
    const entry = a.findReadableLocked(hashes[i] & a.mask, hashes[i], keys[i]);
    values.push(entry === 0 ? null : a.table.valueBuffer(entry));
  }
  return values;
}

export function mset(a: TableAccess, keyValues: readonly Bytes[], onlyIfNoneExist: boolean): boolean {
  const keys = keyValues.filter((_, i) => i % 2 === 0);
  return a.withKeys(keys, true, msetLocked, keyValues, onlyIfNoneExist);
}

function msetLocked(
  a: TableAccess,
  hashes: number[],
  keys: readonly Bytes[],
  keyValues: readonly Bytes[],
  onlyIfNoneExist: boolean,
): boolean {
  const entries = keys.map((key, i) => a.findLiveLocked(hashes[i] & a.mask, hashes[i], key));
  if (onlyIfNoneExist && entries.some((entry) => entry !== 0)) return false;
  // Redis writes the pairs in order, so a key given twice ends with its last value: write only that one (the
  // all-or-nothing store looks each key up once, before it writes any). MSET clears a TTL.
  const written = lastOccurrences(hashes, keys);
  storeAllLocked(
    a,
    written.map((i) => hashes[i]),
    written.map((i) => keys[i]),
    written.map((i) => entries[i]),
    written.map((i) => keyValues[i * 2 + 1]),
  );
  for (const hash of hashes) touchLocked(a, hash & a.mask, hash);
  return true;
}

/** Indexes of the keys, in order, skipping any that appears again later. */
function lastOccurrences(hashes: readonly number[], keys: readonly Bytes[]): number[] {
  const all = keys.map((_, i) => i);
  if (new Set(hashes).size === hashes.length) return all; // distinct hashes: no key twice
  const kept = new Map<number, number[]>(); // hash -> indexes kept with it (several only on a collision)
  return all
    .reverse()
    .filter((i) => {
      const same = kept.get(hashes[i]);
      if (same === undefined) kept.set(hashes[i], [i]);
      else if (same.some((j) => Buffer.compare(keys[j], keys[i]) === 0)) return false;
      else same.push(i);
      return true;
    })
    .reverse();
}

export function del(a: TableAccess, keys: readonly Bytes[]): number {
  return a.withKeys(keys, true, delLocked);
}

function delLocked(a: TableAccess, hashes: number[], keys: readonly Bytes[]): number {
  let removed = 0;
  for (let i = 0; i < keys.length; i++) {
    const segment = hashes[i] & a.mask;
    const entry = a.findLiveLocked(segment, hashes[i], keys[i]);
    if (entry !== 0) {
      a.table.remove(segment, entry);
      touchLocked(a, segment, hashes[i]);
      removed++;
    }
  }
  return removed;
}

export function exists(a: TableAccess, keys: readonly Bytes[]): number {
  return a.withKeys(keys, false, existsLocked);
}

function existsLocked(a: TableAccess, hashes: number[], keys: readonly Bytes[]): number {
  let found = 0;
  for (let i = 0; i < keys.length; i++) {
    if (a.findReadableLocked(hashes[i] & a.mask, hashes[i], keys[i]) !== 0) found++;
  }
  return found;
}

export function rename(
  a: TableAccess,
  source: Bytes,
  destination: Bytes,
  onlyIfNew: boolean,
): 'ok' | 'missing' | 'exists' {
  return a.withKeys([source, destination], true, renameLocked, onlyIfNew, undefined);
}

/** keys: [source, destination]. */
function renameLocked(
  a: TableAccess,
  hashes: number[],
  [source, destination]: readonly Bytes[],
  onlyIfNew: boolean,
): 'ok' | 'missing' | 'exists' {
  const [from, to] = [hashes[0] & a.mask, hashes[1] & a.mask];
  const entry = a.findLiveLocked(from, hashes[0], source);
  if (entry === 0) return 'missing';
  if (Buffer.compare(source, destination) === 0) return onlyIfNew ? 'exists' : 'ok'; // db.c renameGenericCommand
  const existing = a.findLiveLocked(to, hashes[1], destination);
  if (existing !== 0 && onlyIfNew) return 'exists';
  cloneLocked(a, entry, to, hashes[1], destination, existing);
  a.table.remove(from, entry);
  touchLocked(a, from, hashes[0]);
  touchLocked(a, to, hashes[1]);
  return 'ok';
}

export function copy(a: TableAccess, source: Bytes, destination: Bytes, replace: boolean): boolean {
  // db.c copyCommand checks "same object" before it even looks the source up.
  if (Buffer.compare(source, destination) === 0) throw new CommandError(ERR.sameObject);
  return a.withKeys([source, destination], true, copyLocked, replace, undefined);
}

/** keys: [source, destination]. */
function copyLocked(
  a: TableAccess,
  hashes: number[],
  [source, destination]: readonly Bytes[],
  replace: boolean,
): boolean {
  const entry = a.findLiveLocked(hashes[0] & a.mask, hashes[0], source);
  if (entry === 0) return false;
  const to = hashes[1] & a.mask;
  const existing = a.findLiveLocked(to, hashes[1], destination);
  if (existing !== 0 && !replace) return false;
  cloneLocked(a, entry, to, hashes[1], destination, existing);
  touchLocked(a, to, hashes[1]);
  return true;
}
