// Keyspace notifications (redis.io/docs/manual/keyspace-notifications; Redis 7.0's notify.c): the
// notify-keyspace-events classes, their letters both ways, and notifyKeyspaceEvent, which publishes an event on
// `__keyspace@<db>__:<key>` (message: the event) and `__keyevent@<db>__:<event>` (message: the key) through the
// same Pub/Sub as PUBLISH, so subscribers on every thread receive them. Commands call notify() where Redis does;
// the store's expiry hook reports `expired`. Knows the hub; nothing of the store or of transports.

import type { CommandContext } from '../command.js';
import type { KeyValueStore } from '../store/types.js';
import { CHANNEL, type PubSubHub } from './hub.js';

export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m (not in A, on purpose)
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n (not in A)
export const NOTIFY_ALL =
  NOTIFY_GENERIC |
  NOTIFY_STRING |
  NOTIFY_LIST |
  NOTIFY_SET |
  NOTIFY_HASH |
  NOTIFY_ZSET |
  NOTIFY_EXPIRED |
  NOTIFY_EVICTED |
  NOTIFY_STREAM |
  NOTIFY_MODULE;

const LETTERS: Readonly<Record<string, number>> = {
  A: NOTIFY_ALL,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
};

/** CONFIG SET's error text for a letter that is no class (config.c setConfigNotifyKeyspaceEventsOption). */
export const INVALID_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** keyspaceEventsStringToFlags: the classes a string names, or -1 if a character names none. */
export function parseKeyspaceEvents(classes: string): number {
  let flags = 0;
  for (const c of classes) {
    const flag = LETTERS[c];
    if (flag === undefined) return -1;
    flags |= flag;
  }
  return flags;
}

/** keyspaceEventsFlagsToString: the canonical letters, as CONFIG GET shows them. */
export function formatKeyspaceEvents(flags: number): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) out += 'A';
  else {
    const classes: [number, string][] = [
      [NOTIFY_GENERIC, 'g'],
      [NOTIFY_STRING, '$'],
      [NOTIFY_LIST, 'l'],
      [NOTIFY_SET, 's'],
      [NOTIFY_HASH, 'h'],
      [NOTIFY_ZSET, 'z'],
      [NOTIFY_EXPIRED, 'x'],
      [NOTIFY_EVICTED, 'e'],
      [NOTIFY_STREAM, 't'],
      [NOTIFY_MODULE, 'd'],
      [NOTIFY_NEW, 'n'],
    ];
    for (const [flag, letter] of classes) if ((flags & flag) !== 0) out += letter;
  }
  if ((flags & NOTIFY_KEYSPACE) !== 0) out += 'K';
  if ((flags & NOTIFY_KEYEVENT) !== 0) out += 'E';
  if ((flags & NOTIFY_KEY_MISS) !== 0) out += 'm';
  return out;
}

/** The setting's check: the letters as given, or Redis's error. */
export function checkKeyspaceEvents(value: string): string | { error: string } {
  return parseKeyspaceEvents(value) < 0 ? { error: INVALID_CLASS } : value;
}

/** What CONFIG GET shows for the stored letters: Redis's print of its flags. */
export const showKeyspaceEvents = (stored: string): string =>
  formatKeyspaceEvents(parseKeyspaceEvents(stored));

/** Whether events of class `type` are published at all now (both a class and K or E must be on). */
export function wantsEvent(ctx: CommandContext, type: number): boolean {
  const flags = ctx.server.pubsub?.keyspaceFlags() ?? 0;
  return (flags & type) !== 0 && (flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) !== 0;
}

/** notifyKeyspaceEvent for a command: in the database the command acts on. */
export function notifyKeyspaceEvent(
  ctx: CommandContext,
  type: number,
  event: string,
  key: Uint8Array,
  db?: number,
): void {
  const hub = ctx.server.pubsub;
  if (hub !== undefined) publishKeyspaceEvent(hub, type, event, key, db ?? ctx.store.db);
}

/** db.c lookupKey's `keymiss` (class m): a read lookup of `key` found nothing. */
export function notifyMiss(ctx: CommandContext, key: Uint8Array, found: boolean): void {
  if (!found) notifyKeyspaceEvent(ctx, NOTIFY_KEY_MISS, 'keymiss', key);
}

/**
 * Runs a write on `keys` and tells which of them were missing just before it, for the `new` events of the keys it
 * creates (db.c dbAdd); when `new` events are wanted, the existence checks and the write happen under the keys'
 * locks (the store's transaction), so no other thread creates one in between. Otherwise `missing` is null.
 */
export function writeWithMissing<R>(
  ctx: CommandContext,
  keys: readonly Uint8Array[],
  write: (store: KeyValueStore) => R,
): { result: R; missing: readonly boolean[] | null } {
  if (!wantsEvent(ctx, NOTIFY_NEW)) return { result: write(ctx.store), missing: null };
  return ctx.store.transaction(keys, (locked) => {
    const missing = keys.map((key) => locked.exists([key]) === 0);
    return { result: write(locked), missing };
  });
}

/** `new` for keys[i] when it was missing: once per key, at its first position (MSET k v k v2 creates k once). */
export function notifyCreated(
  ctx: CommandContext,
  keys: readonly Uint8Array[],
  missing: readonly boolean[] | null,
  i: number,
): void {
  if (missing === null || !missing[i]) return;
  for (let j = 0; j < i; j++) if (Buffer.compare(keys[j], keys[i]) === 0) return;
  notifyKeyspaceEvent(ctx, NOTIFY_NEW, 'new', keys[i]);
}

const KEYSPACE = Buffer.from('__keyspace@');
const KEYEVENT = Buffer.from('__keyevent@');
const SEPARATOR = Buffer.from('__:');

/** notify.c notifyKeyspaceEvent: publishes on the keyspace and keyevent channels the setting enables. */
export function publishKeyspaceEvent(
  hub: PubSubHub,
  type: number,
  event: string,
  key: Uint8Array,
  db: number,
): void {
  const flags = hub.keyspaceFlags();
  if ((flags & type) === 0) return;
  const dbText = Buffer.from(String(db));
  const eventBytes = Buffer.from(event);
  if ((flags & NOTIFY_KEYSPACE) !== 0) {
    hub.publish(CHANNEL, Buffer.concat([KEYSPACE, dbText, SEPARATOR, key]), eventBytes);
  }
  if ((flags & NOTIFY_KEYEVENT) !== 0) {
    hub.publish(CHANNEL, Buffer.concat([KEYEVENT, dbText, SEPARATOR, eventBytes]), key);
  }
}
