// Operations over several keys at one instant: MGET, MSET/MSETNX, DEL, EXISTS, RENAME/RENAMENX, COPY (Redis's
// t_string.c and db.c). Each takes the locks of all its keys' segments at once, in the lock order written in
// access.ts, so other threads see it happen all or nothing. Knows no command syntax and no memory layout.

import { CommandError, ERR } from '../errors.js';
import type { TableAccess } from './access.js';
import type { Bytes } from './types.js';
import { cloneLocked, storeLocked } from './values.js';

export function mget(a: TableAccess, keys: readonly Bytes[]): (Buffer | null)[] {
  return a.withKeys(keys, false, (hashes) =>
    keys.map((key, i) => {
      const entry = a.findReadableLocked(hashes[i] & a.mask, hashes[i], key);
      return entry === 0 ? null : a.table.valueBuffer(entry);
    }),
  );
}

export function mset(a: TableAccess, keyValues: readonly Bytes[], onlyIfNoneExist: boolean): boolean {
  const keys = keyValues.filter((_, i) => i % 2 === 0);
  return a.withKeys(keys, true, (hashes) => {
    if (onlyIfNoneExist) {
      for (let i = 0; i < keys.length; i++) {
        if (a.findLiveLocked(hashes[i] & a.mask, hashes[i], keys[i]) !== 0) return false;
      }
    }
    for (let i = 0; i < keys.length; i++) {
      const segment = hashes[i] & a.mask;
      const entry = a.findLiveLocked(segment, hashes[i], keys[i]);
      storeLocked(a, segment, hashes[i], keys[i], entry, keyValues[i * 2 + 1], 0); // MSET clears a TTL
    }
    return true;
  });
}

export function del(a: TableAccess, keys: readonly Bytes[]): number {
  return a.withKeys(keys, true, (hashes) => {
    let removed = 0;
    for (let i = 0; i < keys.length; i++) {
      const segment = hashes[i] & a.mask;
      const entry = a.findLiveLocked(segment, hashes[i], keys[i]);
      if (entry !== 0) {
        a.table.remove(segment, entry);
        removed++;
      }
    }
    return removed;
  });
}

export function exists(a: TableAccess, keys: readonly Bytes[]): number {
  return a.withKeys(keys, false, (hashes) => {
    let found = 0;
    for (let i = 0; i < keys.length; i++) {
      if (a.findReadableLocked(hashes[i] & a.mask, hashes[i], keys[i]) !== 0) found++;
    }
    return found;
  });
}

export function rename(
  a: TableAccess,
  source: Bytes,
  destination: Bytes,
  onlyIfNew: boolean,
): 'ok' | 'missing' | 'exists' {
  return a.withKeys([source, destination], true, (hashes) => {
    const [from, to] = [hashes[0] & a.mask, hashes[1] & a.mask];
    const entry = a.findLiveLocked(from, hashes[0], source);
    if (entry === 0) return 'missing';
    if (Buffer.compare(source, destination) === 0) return onlyIfNew ? 'exists' : 'ok'; // db.c renameGenericCommand
    const existing = a.findLiveLocked(to, hashes[1], destination);
    if (existing !== 0 && onlyIfNew) return 'exists';
    cloneLocked(a, entry, to, hashes[1], destination, existing);
    a.table.remove(from, entry);
    return 'ok';
  });
}

export function copy(a: TableAccess, source: Bytes, destination: Bytes, replace: boolean): boolean {
  // db.c copyCommand checks "same object" before it even looks the source up.
  if (Buffer.compare(source, destination) === 0) throw new CommandError(ERR.sameObject);
  return a.withKeys([source, destination], true, (hashes) => {
    const entry = a.findLiveLocked(hashes[0] & a.mask, hashes[0], source);
    if (entry === 0) return false;
    const to = hashes[1] & a.mask;
    const existing = a.findLiveLocked(to, hashes[1], destination);
    if (existing !== 0 && !replace) return false;
    cloneLocked(a, entry, to, hashes[1], destination, existing);
    return true;
  });
}
