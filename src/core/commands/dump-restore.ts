// DUMP and RESTORE (cluster.c dumpCommand, restoreCommand): a key's value in Redis's RDB payload (value
// encoding, RDB version, CRC-64: rdb/dump.ts), so keys move between Redis 7.0 and this server both ways.
// Each runs under its key's lock (store.transaction), so the value read or the key created is one instant's.
// IDLETIME sets the key's access clock that far back, FREQ its LFU counter (under an LFU policy), as
// objectSetLRUOrLFU does.

import { isKeyword, toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { NOTIFY_GENERIC, notifyKeyspaceEvent, notifyMiss } from '../pubsub/keyspace-events.js';
import { createDumpPayload, readDumpPayload, verifyDumpPayload } from '../rdb/dump.js';
import type { RdbValue } from '../rdb/format.js';
import { readStoreValue, writeStoreValue } from '../rdb/store-io.js';
import { bulkOrNil, OK, type Reply } from '../reply.js';
import type { AccessSetting } from '../store/objects.js';

function dump(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const value = ctx.store.transaction([key], (locked) => readStoreValue(locked, key));
  // lookupKeyRead (cluster.c dumpCommand): a hit or a miss, and a miss's `keymiss`.
  ctx.server.counters?.keyLookup(value !== null);
  notifyMiss(ctx, key, value !== null);
  if (value === null) return bulkOrNil(null);
  const compress = ctx.server.config.get('rdbcompression')[0]?.[1] !== 'no';
  return bulkOrNil(createDumpPayload(value, compress));
}

interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  access: AccessSetting | null;
}

/** restoreCommand's option loop: IDLETIME and FREQ exclude each other (the second is a syntax error). */
function restoreOptions(argv: Buffer[]): RestoreOptions {
  const options: RestoreOptions = { replace: false, absttl: false, access: null };
  let idle = false;
  let freq = false;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isKeyword(argv[j], 'REPLACE')) options.replace = true;
    else if (isKeyword(argv[j], 'ABSTTL')) options.absttl = true;
    else if (isKeyword(argv[j], 'IDLETIME') && more >= 1 && !freq) {
      const seconds = toBigInt(argv[++j]);
      if (seconds < 0n) throw new CommandError('ERR Invalid IDLETIME value, must be >= 0');
      options.access = { idleSeconds: seconds };
      idle = true;
    } else if (isKeyword(argv[j], 'FREQ') && more >= 1 && !idle) {
      const f = toBigInt(argv[++j]);
      if (f < 0n || f > 255n) throw new CommandError('ERR Invalid FREQ value, must be >= 0 and <= 255');
      options.access = { frequency: Number(f) };
      freq = true;
    } else throw new CommandError(ERR.syntax);
  }
  return options;
}

function isEmpty(value: RdbValue): boolean {
  switch (value.type) {
    case 'string':
    case 'stream': // an empty stream is a value of its own (its last ID still counts)
      return false;
    case 'list':
      return value.elements.length === 0;
    case 'set':
      return value.members.length === 0;
    case 'hash':
      return value.pairs.length === 0;
    case 'zset':
      return value.entries.length === 0;
  }
}

function restore(argv: Buffer[], ctx: CommandContext): Reply {
  const key = argv[1];
  const options = restoreOptions(argv);
  const outcome = ctx.store.transaction([key], (locked): 'created' | 'deleted' | 'none' => {
    if (!options.replace && locked.exists([key]) === 1) {
      throw new CommandError('BUSYKEY Target key name already exists.');
    }
    let ttl = toBigInt(argv[2]);
    if (ttl < 0n) throw new CommandError('ERR Invalid TTL value, must be >= 0');
    const payload = argv[3];
    if (!verifyDumpPayload(payload, true)) {
      throw new CommandError('ERR DUMP payload version or checksum are wrong');
    }
    let value: RdbValue;
    try {
      value = readDumpPayload(payload);
    } catch {
      throw new CommandError('ERR Bad data format');
    }
    // rdbLoadObject refuses an empty container (RDB_LOAD_ERR_EMPTY_KEY).
    if (isEmpty(value)) throw new CommandError('ERR Bad data format');
    const deleted = options.replace && locked.del([key]) === 1;
    const now = ctx.server.clock();
    if (ttl !== 0n && !options.absttl) ttl += BigInt(now);
    if (ttl !== 0n && ttl <= BigInt(now)) return deleted ? 'deleted' : 'none';
    writeStoreValue(locked, key, value, Number(ttl));
    if (options.access !== null) locked.setAccess(key, options.access);
    return 'created';
  });
  if (outcome !== 'none') markChanged(ctx);
  if (outcome === 'deleted') notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', key);
  if (outcome === 'created') notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'restore', key);
  return OK;
}

export const dumpRestoreCommands: readonly CommandSpec[] = [
  {
    name: 'dump',
    syntax: 'DUMP key',
    summary: 'Returns a serialized representation of the value stored at a key.',
    group: 'generic',
    since: '2.6.0',
    arity: 2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    run: dump,
  },
  {
    name: 'restore',
    syntax: 'RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]',
    summary: 'Creates a key from the serialized representation of a value.',
    group: 'generic',
    since: '2.6.0',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    run: restore,
  },
];
