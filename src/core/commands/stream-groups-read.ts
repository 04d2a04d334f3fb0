// The consumer-group commands that deliver and settle entries: XREADGROUP (new entries with `>`, a consumer's own
// history with an ID, NOACK), XACK, XPENDING (the summary, and the extended form with IDLE and a consumer), XCLAIM
// and XAUTOCLAIM (redis.io/commands/<name>, Redis 7.0's t_stream.c), with their errors in Redis's order. Delivery
// and idle times are the store's clock (injected: tests move it by hand). Each runs under its key's lock through
// store.xgroups; the groups' model is store/stream-groups.ts.

import { isKeyword, parseInt64, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, cString, ERR } from '../errors.js';
import type { BlockedRequest } from '../blocking/record.js';
import type { PubSubHub } from '../pubsub/hub.js';
import { NOTIFY_STREAM, notifyKeyspaceEvent, publishKeyspaceEvent } from '../pubsub/keyspace-events.js';
import { array, bulk, bulkString, error, integer, map, NIL, NIL_ARRAY, type Reply } from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import {
  addConsumer,
  consumerByNumber,
  consumerPending,
  findConsumer,
  findGroup,
  removePending,
  setPending,
  touchPending,
  type LiveConsumer,
  type LiveGroup,
} from '../store/stream-groups.js';
import type { PelRecord } from '../store/stream-pel.js';
import { idBuffer, MAX_ID, type StreamId } from '../store/stream-id.js';
import { advanceGroup } from '../store/stream-lag.js';
import type { Stream, StreamEntry } from '../store/stream.js';
import type { GroupsWork } from '../store/streams.js';
import { blockTimeoutArg, rangeBound, readCountArg, streamIdArg } from './stream-args.js';
import { entryReply } from './stream-reply.js';
import { looked } from './bitmap.js';
import { createConsumerLine, setIdLine, xclaimLine, type PendingState } from './stream-propagation.js';

/** XREAD_BLOCKED_DEFAULT_COUNT: a blocked client with no COUNT is served at most this many entries. */
const BLOCKED_DEFAULT_COUNT = 1000;

const noKeyOrGroup = (key: Uint8Array, group: Uint8Array, suffix = ''): CommandError =>
  new CommandError(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}'${suffix}`);

/**
 * The commands a group command logs in its own place (stream-propagation.ts), built only while the append-only
 * file is on (null otherwise): each command passes it to recordCommands once it ran.
 */
type Propagated = Buffer[][] | null;

function propagation(ctx: CommandContext): Propagated {
  return ctx.server.aof?.logging === true ? [] : null;
}

function logPropagated(ctx: CommandContext, log: Propagated): void {
  if (log !== null && log.length > 0) ctx.server.aof!.recordCommands(ctx.store.db, log);
}

/** streamLookupConsumer (seen time refreshed) or streamCreateConsumer: `created` says which, for its event. */
function consumerFor(w: GroupsWork, group: LiveGroup, name: Buffer, events: string[]): LiveConsumer {
  const found = findConsumer(group, name);
  if (found !== null) {
    found.seenTime = w.now;
    return found;
  }
  events.push('xgroup-createconsumer');
  return addConsumer(group, name, w.now);
}

const entryAt = (stream: Stream, id: StreamId): StreamEntry | null =>
  stream.range(id, id, 1, false)[0] ?? null;

/** Assigns the pending entry to `consumer`, or makes it (delivered now, once): streamReplyWithRange's NACK step. */
function deliver(group: LiveGroup, consumer: LiveConsumer, id: StreamId, now: number): void {
  setPending(group, id, consumer, now, 1);
}

// ---- XREADGROUP ----

interface ReadGroupRequest {
  readonly group: Buffer;
  readonly consumer: Buffer;
  readonly count: number;
  readonly timeoutMs: number;
  readonly noack: boolean;
  readonly keys: Buffer[];
  readonly ids: Buffer[];
}

function parseReadGroup(argv: readonly Buffer[], ctx: CommandContext): ReadGroupRequest {
  let timeoutMs = -1;
  let count = 0;
  let noack = false;
  let group: Buffer | null = null;
  let consumer: Buffer | null = null;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const option = argv[i];
    if (isKeyword(option, 'BLOCK') && more > 0) {
      timeoutMs = blockTimeoutArg(argv[0], argv[++i], ctx);
    } else if (isKeyword(option, 'COUNT') && more > 0) {
      count = readCountArg(argv[++i]);
    } else if (isKeyword(option, 'STREAMS') && more > 0) {
      const rest = argv.length - (i + 1);
      if (rest % 2 !== 0) {
        throw new CommandError(
          "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
        );
      }
      if (group === null || consumer === null)
        throw new CommandError('ERR Missing GROUP option for XREADGROUP');
      const half = rest / 2;
      const keys = argv.slice(i + 1, i + 1 + half);
      return { group, consumer, count, timeoutMs, noack, keys, ids: argv.slice(i + 1 + half) };
    } else if (isKeyword(option, 'GROUP') && more >= 2) {
      group = argv[i + 1];
      consumer = argv[i + 2];
      i += 2;
    } else if (isKeyword(option, 'NOACK')) noack = true;
    else throw new CommandError(ERR.syntax);
  }
  throw new CommandError(ERR.syntax);
}

/** What XREADGROUP served from one stream: entries, or history entries that may be gone (null). */
type Served = readonly [Buffer, readonly (StreamEntry | { id: StreamId; fields: null })[]];

/** An XREADGROUP ID: null for `>` (new entries), else the history start; `$` refused. */
function readGroupId(arg: Buffer): StreamId | null {
  if (arg.length === 1 && arg[0] === 0x24) {
    throw new CommandError(
      'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
    );
  }
  return arg.length === 1 && arg[0] === 0x3e ? null : streamIdArg(arg, 0n, true).id;
}

function xreadgroup(argv: Buffer[], ctx: CommandContext): Reply {
  const request = parseReadGroup(argv, ctx);
  const served: Served[] = [];
  const events: [Buffer, string][] = [];
  // Propagated as the XCLAIMs (or SETID) of what it delivered, never as sent (xreadCommand's
  // preventCommandPropagation): a history read logs nothing.
  const log = propagation(ctx);
  if (request.keys.length === 1) serveOneKey(ctx, request, served, events, log);
  else serveKeys(ctx, request, served, events, log);
  logPropagated(ctx, log);
  // xreadCommand: a change per stream it served, and streamCreateConsumer's for each consumer it made.
  markChanged(ctx, served.length + events.length);
  for (const [key, event] of events) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, event, key);
  const asMap = ctx.client.resp === 3;
  if (served.length > 0) return readGroupReply(served, asMap);
  const hub = ctx.server.blocking;
  if (request.timeoutMs === -1 || hub === undefined) return NIL_ARRAY;
  // Only `>` reads get here (a history read is always answered at once): blocked until an XADD on any thread.
  return hub.block(
    ctx.store,
    ctx.client,
    ctx.client.blockedTarget,
    {
      kind: 'xreadgroup',
      db: ctx.store.db,
      keys: request.keys,
      fromHead: true,
      toHead: true,
      count: request.count === 0 ? BLOCKED_DEFAULT_COUNT : request.count,
      destination: null,
      mapReply: asMap,
      group: { name: request.group, consumer: request.consumer, noack: request.noack },
    },
    request.timeoutMs,
    NIL_ARRAY,
    ctx.server.aof, // served here after all (another thread's XADD meanwhile): logged as served later is
  );
}

/**
 * XREADGROUP of several keys: every key's lookup, group and ID checked before any is served (a later key's error
 * serves nothing), as xreadCommand checks them, then each served under its lock.
 */
function serveKeys(
  ctx: CommandContext,
  request: ReadGroupRequest,
  served: Served[],
  events: [Buffer, string][],
  log: Propagated,
): void {
  const after: (StreamId | null)[] = [];
  for (let i = 0; i < request.keys.length; i++) {
    const key = request.keys[i];
    const found = ctx.store.xgroups(
      key,
      false,
      (w) => w !== null && findGroup(w.groups, request.group) !== null,
    );
    looked(ctx, key, ctx.store.type(key) !== 'none');
    if (!found) {
      throw noKeyOrGroup(key, request.group, ' in XREADGROUP with GROUP option');
    }
    after.push(readGroupId(request.ids[i]));
  }
  for (let i = 0; i < request.keys.length; i++) {
    const key = request.keys[i];
    const keyEvents: string[] = [];
    // Looked up again, as xreadCommand's serving loop does: a second hit (or miss) per key.
    const entries = readGroups(ctx, key, (w) =>
      w === null ? null : readGroup(w, request, key, after[i], keyEvents, log),
    );
    for (const event of keyEvents) events.push([key, event]);
    if (entries !== null) served.push([key, entries]);
  }
}

/**
 * XREADGROUP of one key (the usual call): checked and served under one hold of its lock, with the lookups Redis
 * counts for it (one before an error, two when served: xreadCommand's check and its serving loop).
 */
function serveOneKey(
  ctx: CommandContext,
  request: ReadGroupRequest,
  served: Served[],
  events: [Buffer, string][],
  log: Propagated,
): void {
  const key = request.keys[0];
  const keyEvents: string[] = [];
  let found: boolean | undefined;
  let checked = false;
  try {
    const entries = ctx.store.xgroups(key, false, (w) => {
      found = w !== null;
      if (w === null || findGroup(w.groups, request.group) === null) {
        throw noKeyOrGroup(key, request.group, ' in XREADGROUP with GROUP option');
      }
      const after = readGroupId(request.ids[0]);
      checked = true;
      return readGroup(w, request, key, after, keyEvents, log);
    });
    for (const event of keyEvents) events.push([key, event]);
    if (entries !== null) served.push([key, entries]);
  } finally {
    if (found !== undefined) looked(ctx, key, found);
    if (checked) looked(ctx, key, true);
  }
}

/**
 * One stream's XREADGROUP under its lock: the consumer's history after `after`, or (null) the entries after the
 * group's last ID; null when there is nothing to serve (xreadCommand's serve_synchronously false).
 */
function readGroup(
  w: GroupsWork,
  request: ReadGroupRequest,
  key: Buffer,
  after: StreamId | null,
  events: string[],
  log: Propagated,
): Served[1] | null {
  const group = findGroup(w.groups, request.group);
  if (group === null) return null;
  const { stream } = w;
  if (after === null) {
    const last = stream.edgeId(false, true);
    if (stream.length === 0 || last === null || last <= group.lastId) return null;
  }
  const made = events.length;
  const consumer = consumerFor(w, group, request.consumer, events);
  // A consumer a NOACK read made has no XCLAIM to make it on replay (history reads included).
  if (log !== null && request.noack && events.length > made) {
    log.push(createConsumerLine(key, request.group, consumer.name));
  }
  w.changed();
  if (after !== null) {
    // streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries after the ID.
    const out: (StreamEntry | { id: StreamId; fields: null })[] = [];
    const from = after === MAX_ID ? 0n : after + 1n; // streamIncrID wraps the largest ID to 0-0
    for (const pending of consumerPending(group, consumer, from)) {
      if (request.count !== 0 && out.length === request.count) break;
      const entry = entryAt(stream, pending.id);
      if (entry === null) out.push({ id: pending.id, fields: null });
      else {
        out.push(entry);
        touchPending(group, pending, w.now, pending.deliveryCount + 1);
      }
    }
    return out;
  }
  return deliverNew(w, group, consumer, request.count, request.noack, key, request.group, log);
}

/**
 * streamReplyWithRange with a group: the entries past its last ID, which moves on; each pending unless NOACK. Logged
 * (`log`) as an XCLAIM per pending entry made, carrying the last ID; with NOACK, the last ID's SETID once.
 */
function deliverNew(
  w: GroupsWork,
  group: LiveGroup,
  consumer: LiveConsumer,
  count: number,
  noack: boolean,
  key: Buffer,
  groupName: Buffer,
  log: Propagated,
): StreamEntry[] {
  const entries = w.stream.range(group.lastId + 1n, MAX_ID, count, false);
  const lastBefore = group.lastId;
  for (const entry of entries) {
    if (entry.id > group.lastId) advanceGroup(w.stream, group, entry.id);
    if (noack) continue;
    deliver(group, consumer, entry.id, w.now);
    if (log !== null) {
      const pending = { deliveryTime: w.now, deliveryCount: 1 };
      log.push(xclaimLine(key, groupName, consumer.name, entry.id, pending, group.lastId));
    }
  }
  if (log !== null && noack && group.lastId !== lastBefore) {
    log.push(setIdLine(key, groupName, group.lastId, group.entriesRead));
  }
  return entries;
}

function readGroupReply(served: readonly Served[], asMap: boolean): Reply {
  const reply = (e: StreamEntry | { id: StreamId; fields: null }): Reply =>
    e.fields === null ? array([bulk(idBuffer(e.id)), NIL_ARRAY]) : entryReply(e);
  const pairs = served.map(([key, entries]) => [bulk(key), array(entries.map(reply))] as const);
  return asMap ? map(pairs) : array(pairs.map((pair) => array(pair)));
}

/**
 * A client blocked in XREADGROUP on `key` (blocked.c serveClientsBlockedOnStreamKey): when the stream's last ID
 * is past its group's, the entries past the group's last ID delivered to its consumer; the NOGROUP error when
 * its group is gone; null (it waits on) otherwise. `changes`: 1 when it made the consumer (streamCreateConsumer's
 * server.dirty), else 0. `logged`: what the append-only file gets for it (as for XREADGROUP run at once).
 */
export function serveBlockedReadGroup(
  store: KeyValueStore,
  request: BlockedRequest,
  key: Buffer,
  hub: PubSubHub | undefined,
): { reply: Reply; changes: number; logged: Buffer[][] } | null {
  const blocked = request.group!;
  const events: string[] = [];
  const logged: Buffer[][] = [];
  const served = store.xgroups(key, false, (w): Served[1] | 'nogroup' | null => {
    if (w === null) return null;
    const group = findGroup(w.groups, blocked.name);
    if (group === null) return 'nogroup';
    if (w.stream.lastId <= group.lastId) return null;
    const consumer = consumerFor(w, group, blocked.consumer, events);
    if (blocked.noack && events.length > 0) logged.push(createConsumerLine(key, blocked.name, consumer.name));
    w.changed();
    return deliverNew(w, group, consumer, request.count, blocked.noack, key, blocked.name, logged);
  });
  if (hub !== undefined) {
    for (const event of events) publishKeyspaceEvent(hub, NOTIFY_STREAM, event, key, store.db);
  }
  if (served === 'nogroup')
    return {
      reply: error('NOGROUP the consumer group this client was blocked on no longer exists'),
      changes: 0,
      logged,
    };
  if (served === null) return null;
  const reply = readGroupReply([[key, served]], request.mapReply === true);
  return { reply, changes: events.length, logged };
}

/**
 * The stream at `key` read with its groups as XACK, XPENDING, XCLAIM and XAUTOCLAIM read it (t_stream.c: each a
 * lookupKeyRead, write commands or not): one keyspace hit or miss (with `keymiss`), counted even when an error
 * follows (NOGROUP, a bad ID); a key of another type throws WRONGTYPE before `work` runs (the executor counts it).
 */
function readGroups<R>(ctx: CommandContext, key: Buffer, work: (w: GroupsWork | null) => R): R {
  let found: boolean | undefined;
  try {
    return ctx.store.xgroups(key, false, (w) => {
      found = w !== null;
      return work(w);
    });
  } finally {
    if (found !== undefined) looked(ctx, key, found);
  }
}

// ---- XACK ----

function xack(argv: Buffer[], ctx: CommandContext): Reply {
  const [key, groupName] = [argv[1], argv[2]];
  const acked = readGroups(ctx, key, (w) => {
    const group = w === null ? null : findGroup(w.groups, groupName);
    if (group === null) return 0; // a missing key or group, before the IDs are read
    const ids = argv.slice(3).map((arg) => streamIdArg(arg, 0n, true).id);
    let count = 0;
    for (const id of ids) if (removePending(group, id)) count++;
    if (count > 0) w!.changed();
    return count;
  });
  markChanged(ctx, acked);
  return integer(acked);
}

// ---- XPENDING ----

function xpending(argv: Buffer[], ctx: CommandContext): Reply {
  const [key, groupName] = [argv[1], argv[2]];
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) throw new CommandError(ERR.syntax);
  let minIdle = 0;
  let start = 0n;
  let end = MAX_ID;
  let count = 0;
  let consumerName: Buffer | null = null;
  if (!summary) {
    let at = 3;
    if (isKeyword(argv[3], 'IDLE')) {
      minIdle = Number(toBigInt(argv[4]));
      if (argv.length < 8) throw new CommandError(ERR.syntax);
      at += 2;
    }
    const n = toBigInt(argv[at + 2]);
    count = n < 0n ? 0 : Number(n);
    start = rangeBound(argv[at], true);
    end = rangeBound(argv[at + 1], false);
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  // xpendingCommand's lookupKeyRead comes after the arguments and before the group.
  return readGroups(ctx, key, (w) => {
    const group = w === null ? null : findGroup(w.groups, groupName);
    if (w === null || group === null) throw noKeyOrGroup(key, groupName);
    if (summary) return pendingSummary(group);
    let owner: LiveConsumer | null = null;
    if (consumerName !== null) {
      owner = findConsumer(group, consumerName);
      if (owner === null) return array([]);
    }
    const out: Reply[] = [];
    // Walked by ID from start (one search, then record after record): the group's PEL, or the consumer's own list
    // (what it owns, not the group's, is walked).
    const records = owner === null ? group.pel.from(start) : consumerPending(group, owner, start);
    for (const p of records) {
      if (count <= 0 || p.id > end) break;
      if (minIdle !== 0 && w.now - p.deliveryTime < minIdle) continue;
      count--;
      out.push(
        array([
          bulk(idBuffer(p.id)),
          bulk(consumerByNumber(group, p.consumer)?.name ?? Buffer.alloc(0)),
          integer(Math.max(0, w.now - p.deliveryTime)),
          integer(p.deliveryCount),
        ]),
      );
    }
    return array(out);
  });
}

/** The pending entry after `p`, or null. */
function next(group: LiveGroup, p: PelRecord): PelRecord | null {
  return p.id === MAX_ID ? null : group.pel.ceiling(p.id + 1n);
}

function pendingSummary(group: LiveGroup): Reply {
  const { pel } = group;
  if (pel.size === 0) return array([integer(0), NIL, NIL, NIL_ARRAY]);
  const owners: Reply[] = [];
  for (const c of group.consumers) {
    if (c.pending > 0) owners.push(array([bulk(c.name), bulkString(String(c.pending))]));
  }
  return array([
    integer(pel.size),
    bulk(idBuffer(pel.first()!.id)),
    bulk(idBuffer(pel.last()!.id)),
    array(owners),
  ]);
}

// ---- XCLAIM, XAUTOCLAIM ----

/** Claims one pending entry for the consumer (the shared step of XCLAIM and XAUTOCLAIM); returns it as it is now. */
function claim(
  group: LiveGroup,
  entry: PelRecord,
  consumer: LiveConsumer,
  time: number,
  count: number | null,
  justId: boolean,
): PendingState {
  const deliveryCount = count !== null ? count : justId ? entry.deliveryCount : entry.deliveryCount + 1;
  setPending(group, entry.id, consumer, time, deliveryCount);
  return { deliveryTime: time, deliveryCount };
}

/** The XCLAIM that replays dropping `pending` from the PEL: its owner's, which finds the entry gone too. */
function droppedLine(
  key: Buffer,
  group: LiveGroup,
  groupArg: Buffer,
  id: Buffer | StreamId,
  pending: PelRecord,
) {
  const owner = consumerByNumber(group, pending.consumer)?.name ?? Buffer.alloc(0);
  return xclaimLine(key, groupArg, owner, id, pending, group.lastId);
}

function xclaim(argv: Buffer[], ctx: CommandContext): Reply {
  const [key, groupName, consumerName] = [argv[1], argv[2], argv[3]];
  const events: string[] = [];
  // xclaimCommand's server.dirty: an entry claimed or dropped from the PEL each, and a LASTID that moved the group's
  // last ID when nothing else changed (then propagated on its own).
  let changes = 0;
  // Propagated as an XCLAIM per entry it claimed or dropped, with each ID as sent; a LASTID that moved the group
  // when nothing else was, as its SETID (xclaimCommand).
  const log = propagation(ctx);
  const reply = readGroups(ctx, key, (w) => {
    const group = w === null ? null : findGroup(w.groups, groupName);
    if (w === null || group === null) throw noKeyOrGroup(key, groupName);
    const minIdleArg = parseInt64(argv[4]);
    if (minIdleArg === null) throw new CommandError('ERR Invalid min-idle-time argument for XCLAIM');
    const minIdle = minIdleArg < 0n ? 0 : Number(minIdleArg);
    const ids: StreamId[] = [];
    let j = 5;
    for (; j < argv.length; j++) {
      const parsed = streamIdOrNull(argv[j]);
      if (parsed === null) break;
      ids.push(parsed);
    }
    const now = w.now;
    let force = false;
    let justId = false;
    let time = -1;
    let retryCount: number | null = null;
    let lastId = 0n;
    for (; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      const option = argv[j];
      const integerOption = (message: string): number => {
        const n = parseInt64(argv[++j]);
        if (n === null) throw new CommandError(`ERR ${message}`);
        return Number(n);
      };
      if (isKeyword(option, 'FORCE')) force = true;
      else if (isKeyword(option, 'JUSTID')) justId = true;
      else if (isKeyword(option, 'IDLE') && more > 0)
        time = now - integerOption('Invalid IDLE option argument for XCLAIM');
      else if (isKeyword(option, 'TIME') && more > 0)
        time = integerOption('Invalid TIME option argument for XCLAIM');
      else if (isKeyword(option, 'RETRYCOUNT') && more > 0) {
        retryCount = integerOption('Invalid RETRYCOUNT option argument for XCLAIM');
      } else if (isKeyword(option, 'LASTID') && more > 0) lastId = streamIdArg(argv[++j], 0n, true).id;
      else throw new CommandError(`ERR Unrecognized XCLAIM option '${cString(option)}'`);
    }
    if (retryCount !== null && retryCount < 0) retryCount = null; // RETRYCOUNT -1: as if not given
    const lastIdMoved = lastId > group.lastId;
    if (lastIdMoved) {
      group.lastId = lastId;
      w.changed();
    }
    if (time === -1 || time < 0 || time > now) time = now;
    let consumer: LiveConsumer | null = null;
    const out: Reply[] = [];
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      let pending = group.pel.get(id);
      const entry = entryAt(w.stream, id);
      if (entry === null) {
        // an entry deleted meanwhile leaves the PEL
        if (pending !== null) {
          log?.push(droppedLine(key, group, groupName, argv[5 + k], pending));
          removePending(group, id);
          w.changed();
          changes++;
        }
        continue;
      }
      let unowned = false;
      if (force && pending === null) {
        // streamCreateNACK: delivered now, once, and no owner until the claim below gives it one.
        pending = { id, consumer: 0, deliveryTime: now, deliveryCount: 1 };
        unowned = true;
      }
      if (pending === null) continue;
      if (!unowned && minIdle !== 0 && now - pending.deliveryTime < minIdle) continue;
      consumer ??= consumerFor(w, group, consumerName, events);
      const state = claim(group, pending, consumer, time, retryCount, justId);
      log?.push(xclaimLine(key, groupName, consumer.name, argv[5 + k], state, group.lastId));
      out.push(justId ? bulk(idBuffer(id)) : entryReply(entry));
      w.changed();
      changes++;
    }
    if (lastIdMoved && changes === 0) {
      log?.push(setIdLine(key, groupName, group.lastId, group.entriesRead));
      changes++;
    }
    return array(out);
  });
  logPropagated(ctx, log);
  markChanged(ctx, changes + events.length);
  for (const event of events) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, event, key);
  return reply;
}

/** streamParseStrictIDOrReply without a reply: null where XCLAIM's IDs end and its options begin. */
function streamIdOrNull(arg: Uint8Array): StreamId | null {
  try {
    return streamIdArg(arg, 0n, true).id;
  } catch {
    return null;
  }
}

const ATTEMPTS_FACTOR = 10;

function xautoclaim(argv: Buffer[], ctx: CommandContext): Reply {
  const [key, groupName, consumerName] = [argv[1], argv[2], argv[3]];
  const minIdleArg = parseInt64(argv[4]);
  if (minIdleArg === null) throw new CommandError('ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = minIdleArg < 0n ? 0 : Number(minIdleArg);
  const start = rangeBound(argv[5], true); // streamParseIntervalIDOrReply, `(` moving it one ID on
  let count = 100;
  let justId = false;
  const maxCount = (2n ** 63n - 1n) / 16n;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isKeyword(argv[j], 'COUNT') && more > 0) {
      const n = parseInt64(argv[j + 1]);
      if (n === null || n < 1n || n > maxCount) throw new CommandError('ERR COUNT must be > 0');
      count = Number(n);
      j++;
    } else if (isKeyword(argv[j], 'JUSTID')) justId = true;
    else throw new CommandError(ERR.syntax);
  }
  let changes = 0;
  const events: string[] = [];
  // Propagated as an XCLAIM per entry it claimed or dropped (xautoclaimCommand), IDs formatted.
  const log = propagation(ctx);
  const reply = readGroups(ctx, key, (w) => {
    const group = w === null ? null : findGroup(w.groups, groupName);
    if (w === null || group === null) throw noKeyOrGroup(key, groupName);
    let attempts = count * ATTEMPTS_FACTOR;
    let pending = group.pel.ceiling(start);
    const claimed: Reply[] = [];
    const deleted: Reply[] = [];
    let consumer: LiveConsumer | null = null;
    while (attempts-- > 0 && count > 0 && pending !== null) {
      const entry = entryAt(w.stream, pending.id);
      if (entry === null) {
        log?.push(droppedLine(key, group, groupName, pending.id, pending));
        removePending(group, pending.id);
        deleted.push(bulk(idBuffer(pending.id)));
        count--;
        w.changed();
        changes++;
        pending = group.pel.ceiling(pending.id);
        continue;
      }
      const current = pending;
      pending = next(group, current);
      if (minIdle !== 0 && w.now - current.deliveryTime < minIdle) continue;
      consumer ??= consumerFor(w, group, consumerName, events);
      const state = claim(group, current, consumer, w.now, null, justId);
      log?.push(xclaimLine(key, groupName, consumer.name, current.id, state, group.lastId));
      claimed.push(justId ? bulk(idBuffer(current.id)) : entryReply(entry));
      count--;
      w.changed();
      changes++;
    }
    const next_ = pending === null ? 0n : pending.id;
    return array([bulk(idBuffer(next_)), array(claimed), array(deleted)]);
  });
  logPropagated(ctx, log);
  // xautoclaimCommand: an entry claimed or dropped from the PEL each, and the consumer it made.
  markChanged(ctx, changes + events.length);
  for (const event of events) notifyKeyspaceEvent(ctx, NOTIFY_STREAM, event, key);
  return reply;
}

export const streamGroupReadCommands: readonly CommandSpec[] = [
  {
    name: 'xreadgroup',
    syntax:
      'XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]',
    summary:
      'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.',
    group: 'stream',
    since: '5.0.0',
    arity: -7,
    flags: ['write', 'blocking', 'movablekeys'],
    keys: [0, 0, 0],
    getKeys: (argv) => {
      for (let i = 1; i < argv.length; i++) {
        if (isKeyword(argv[i], 'STREAMS')) {
          const half = Math.floor((argv.length - i - 1) / 2);
          return Array.from({ length: half }, (_, k) => ({ position: i + 1 + k, spec: 0 }));
        }
        if (isKeyword(argv[i], 'GROUP')) i += 2;
        else if (isKeyword(argv[i], 'BLOCK') || isKeyword(argv[i], 'COUNT')) i++;
      }
      return [];
    },
    run: xreadgroup,
  },
  {
    name: 'xack',
    syntax: 'XACK key group id [id ...]',
    summary:
      'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.',
    group: 'stream',
    since: '5.0.0',
    arity: -4,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: xack,
  },
  {
    name: 'xpending',
    syntax: 'XPENDING key group [[IDLE min-idle-time] start end count [consumer]]',
    summary:
      'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.',
    group: 'stream',
    since: '5.0.0',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: xpending,
  },
  {
    name: 'xclaim',
    syntax:
      'XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]',
    summary:
      'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.',
    group: 'stream',
    since: '5.0.0',
    arity: -6,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: xclaim,
  },
  {
    name: 'xautoclaim',
    syntax: 'XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]',
    summary:
      'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.',
    group: 'stream',
    since: '6.2.0',
    arity: -6,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    run: xautoclaim,
  },
];
