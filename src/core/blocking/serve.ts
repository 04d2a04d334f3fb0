// Running a blocked client's pop against one of its keys, by whichever thread does it: the client itself when
// it first asks (the non-blocking attempt), or a pusher on any thread once the key is ready (Redis's
// serveClientsBlockedOnListKey / serveClientsBlockedOnSortedSetKey, XREAD's read and XREADGROUP's delivery). The reply is built here, in Redis 7.0's
// shapes, with the keyspace events the pop fires. Knows the store's list and sorted-set pops (PopOps); nothing
// of threads, registries or sessions.

import { CommandError } from '../errors.js';
import { NOTIFY_GENERIC, NOTIFY_LIST, NOTIFY_ZSET, publishKeyspaceEvent } from '../pubsub/keyspace-events.js';
import type { PubSubHub } from '../pubsub/hub.js';
import { array, bulk, double, type Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import type { BlockedRequest } from './record.js';
import { MAX_ID } from '../store/stream-id.js';
import { streamsReply } from '../commands/stream-reply.js';
import { serveBlockedReadGroup } from '../commands/stream-groups-read.js';

export interface PoppedMember {
  readonly member: Buffer;
  readonly score: number;
}

/**
 * The store operations a blocking pop needs, each atomic under its keys' locks. A missing key pops nothing;
 * a key of another type throws WRONGTYPE (the caller checks the source's type first).
 */
export interface PopOps {
  /** Up to `count` elements from the head or the tail; the list is deleted when emptied. */
  listPop(store: KeyValueStore, key: Buffer, fromHead: boolean, count: number): Buffer[];
  /** LMOVE: one element from the source's end to the destination's; null when the source is missing. */
  listMove(
    store: KeyValueStore,
    source: Buffer,
    destination: Buffer,
    fromHead: boolean,
    toHead: boolean,
  ): Buffer | null;
  /** Up to `count` members of the lowest (min) or highest scores; the set is deleted when emptied. */
  zsetPop(store: KeyValueStore, key: Buffer, min: boolean, count: number): PoppedMember[];
}

/**
 * What an attempt on one key came to: a reply for the client ('served'), nothing there ('empty'), or a key of
 * another type ('mismatch': WRONGTYPE for the client's own attempt; a pusher skips that client, as Redis does).
 * `pushed`: BLMOVE filled its destination, which may in turn serve clients blocked on it. `changes`: what Redis adds
 * to server.dirty serving a blocked client (blocked.c): BLMPOP and the sorted-set pops each element they took,
 * XREADGROUP a consumer it made, BLPOP, BRPOP and BLMOVE nothing (propagated without counting: their own attempt,
 * as the commands that run at once, count it; hub.ts tryKeys). `logged`: what the append-only file gets for it when
 * that is not the pop servedAsCommand says (XREADGROUP's XCLAIMs, stream-groups-read.ts).
 */
export type Attempt =
  | {
      readonly outcome: 'served';
      readonly reply: Reply;
      readonly pushed: Buffer | null;
      readonly changes: number;
      readonly logged?: readonly Buffer[][];
    }
  | { readonly outcome: 'empty' }
  | { readonly outcome: 'mismatch' };

const EMPTY: Attempt = Object.freeze({ outcome: 'empty' });
const MISMATCH: Attempt = Object.freeze({ outcome: 'mismatch' });

const wantsList = (request: BlockedRequest): boolean => request.kind !== 'zpop' && request.kind !== 'zmpop';

/**
 * XREAD's read of one of its keys (blocked.c serveClientsBlockedOnStreamKey): up to its count of the entries after
 * the ID it holds for that key, answered as XREAD answers one key; nothing there is 'empty'.
 */
function readStream(store: KeyValueStore, request: BlockedRequest, key: Buffer): Attempt {
  const after = request.streamIds![request.keys.findIndex((k) => k.equals(key))];
  if (after === MAX_ID) return EMPTY;
  const entries = store.xrange(key, { start: after + 1n, end: MAX_ID, count: request.count, reverse: false });
  if (entries === null || entries.length === 0) return EMPTY;
  return {
    outcome: 'served',
    reply: streamsReply([[key, entries]], request.mapReply === true),
    pushed: null,
    changes: 0,
  };
}

/**
 * The command a served pop amounts to, for the append-only file (Redis propagates a served BLPOP as an LPOP): the
 * pop of as many as it took from `key`, the key it took them from.
 */
export function servedAsCommand(request: BlockedRequest, key: Buffer, reply: Reply): Buffer[] {
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');
  const taken = reply.kind === 'array' && reply.value[1]?.kind === 'array' ? reply.value[1].value.length : 1;
  switch (request.kind) {
    case 'move':
      return [b('LMOVE'), key, request.destination!, b(request.fromHead ? 'LEFT' : 'RIGHT')].concat(
        b(request.toHead ? 'LEFT' : 'RIGHT'),
      );
    case 'mpop':
      return [b('LMPOP'), b('1'), key, b(request.fromHead ? 'LEFT' : 'RIGHT'), b('COUNT'), b(String(taken))];
    case 'zpop':
      return [b(request.fromHead ? 'ZPOPMIN' : 'ZPOPMAX'), key];
    case 'zmpop':
      return [b('ZMPOP'), b('1'), key, b(request.fromHead ? 'MIN' : 'MAX'), b('COUNT'), b(String(taken))];
    default:
      return [b(request.fromHead ? 'LPOP' : 'RPOP'), key];
  }
}

/** Runs the request's pop on `key` (one of its keys) in `store` (the view of its database). */
export function attemptPop(
  ops: PopOps,
  store: KeyValueStore,
  request: BlockedRequest,
  key: Buffer,
  events: PubSubHub | undefined,
): Attempt {
  const type = store.type(key);
  if (type === 'none') return EMPTY;
  if (request.kind === 'xread') return type === 'stream' ? readStream(store, request, key) : MISMATCH;
  if (request.kind === 'xreadgroup') {
    if (type !== 'stream') return MISMATCH;
    const served = serveBlockedReadGroup(store, request, key, events);
    return served === null
      ? EMPTY
      : {
          outcome: 'served',
          reply: served.reply,
          pushed: null,
          changes: served.changes,
          logged: served.logged,
        };
  }
  const list = wantsList(request);
  if (type !== (list ? 'list' : 'zset')) return MISMATCH;
  const notify = (classes: number, event: string, name: Buffer): void => {
    if (events !== undefined) publishKeyspaceEvent(events, classes, event, name, store.db);
  };
  const deletedEvent = (): void => {
    if (store.type(key) === 'none') notify(NOTIFY_GENERIC, 'del', key);
  };
  if (request.kind === 'move') {
    let moved: Buffer | null;
    try {
      moved = ops.listMove(store, key, request.destination!, request.fromHead, request.toHead);
    } catch (e) {
      // The source is a list, so the destination is what holds another type: the client gets WRONGTYPE
      // and the element stays (blocked.c serveClientBlockedOnList checks the destination before popping).
      if (e instanceof CommandError && e.code === 'WRONGTYPE') {
        return { outcome: 'served', reply: { kind: 'error', value: e.message }, pushed: null, changes: 0 };
      }
      throw e;
    }
    if (moved === null) return EMPTY;
    notify(NOTIFY_LIST, request.toHead ? 'lpush' : 'rpush', request.destination!);
    notify(NOTIFY_LIST, request.fromHead ? 'lpop' : 'rpop', key);
    deletedEvent();
    return { outcome: 'served', reply: bulk(moved), pushed: request.destination, changes: 0 };
  }
  if (list) {
    const count = request.kind === 'mpop' ? request.count : 1;
    const elements = ops.listPop(store, key, request.fromHead, count);
    if (elements.length === 0) return EMPTY;
    notify(NOTIFY_LIST, request.fromHead ? 'lpop' : 'rpop', key);
    deletedEvent();
    const reply =
      request.kind === 'mpop'
        ? array([bulk(key), array(elements.map(bulk))])
        : array([bulk(key), bulk(elements[0])]);
    return { outcome: 'served', reply, pushed: null, changes: request.kind === 'mpop' ? elements.length : 0 };
  }
  const count = request.kind === 'zmpop' ? request.count : 1;
  const members = ops.zsetPop(store, key, request.fromHead, count);
  if (members.length === 0) return EMPTY;
  notify(NOTIFY_ZSET, request.fromHead ? 'zpopmin' : 'zpopmax', key);
  deletedEvent();
  const reply =
    request.kind === 'zmpop'
      ? array([bulk(key), array(members.map((m) => array([bulk(m.member), double(m.score)])))])
      : array([bulk(key), bulk(members[0].member), double(members[0].score)]);
  return { outcome: 'served', reply, pushed: null, changes: members.length };
}
