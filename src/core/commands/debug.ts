// DEBUG (debug.c debugCommand), the subset Redis's test suite and tools use: OBJECT, RELOAD, SLEEP,
// SET-ACTIVE-EXPIRE, HELP.
// One command that reads its own subcommand, as in Redis (COMMAND INFO shows no subcommands), refused by the
// executor unless enable-debug-command allows it (the 'protected' flag). Any other subcommand, or a known one
// with the wrong number of arguments, is Redis's syntax error. Knows nothing of threads: SLEEP blocks the thread
// running it (on the event loop, the whole server, as Redis), and SET-ACTIVE-EXPIRE flips a switch in shared
// memory that the active expiry cycle reads.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, cString } from '../errors.js';
import { strtold } from '../long-double/strtold.js';
import { serializedLength } from '../rdb-length.js';
import { OK, status, type Reply } from '../reply.js';
import { helpReply } from './container.js';

/** Redis 7.0's help lines for the subcommands there are here, in its order. */
const HELP = [
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
];

/** networking.c addReplySubcommandSyntaxError. */
function syntaxError(argv: Buffer[]): CommandError {
  const sub = cString(argv[1], 128);
  const name = argv[0].toString('latin1').toUpperCase();
  return new CommandError(
    `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${name} HELP.`,
  );
}

/**
 * C's strtod(text, NULL) as DEBUG SLEEP reads its argument: the longest number at the start, 0 when there is
 * none ("abc" sleeps 0 s). Read as glibc's strtold does, then rounded to a double: a difference in the last bit
 * of a sleep does not matter.
 */
export function strtodPrefix(text: Uint8Array): number {
  const { value } = strtold(text);
  if (value.kind === 'nan') return NaN;
  if (value.kind === 'infinity') return value.negative ? -Infinity : Infinity;
  const magnitude = Number(value.significand) * 2 ** value.exponent;
  return value.negative ? -magnitude : magnitude;
}

/** C's atoi: optional white space and sign, then digits; 0 when there are none. Only its zero-ness matters. */
export function atoi(text: Uint8Array): number {
  const match = /^[\t\n\v\f\r ]*([+-]?)(\d+)/.exec(Buffer.from(text).toString('latin1'));
  if (match === null) return 0;
  return (match[1] === '-' ? -1 : 1) * Number(match[2]);
}

/**
 * DEBUG SLEEP: debug.c turns the seconds into whole microseconds with a C cast, so a negative, NaN, infinite or
 * out-of-range (past 2^63 us) time sleeps not at all, and anything else that long.
 */
function sleep(argv: Buffer[]): Reply {
  const micros = Math.trunc(strtodPrefix(argv[2]) * 1e6);
  if (Number.isFinite(micros) && micros > 0 && micros < 2 ** 63) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, micros / 1000);
  }
  return OK;
}

/**
 * DEBUG OBJECT key: Redis 7.0's line for a string value. It reads the table directly, as debug.c reads the dict:
 * a key past its expiry is still shown, and nothing counts as a keyspace hit or stamps the key's access time.
 * "Value at" is where the value lives in the store's arena.
 */
function object(argv: Buffer[], ctx: CommandContext): Reply {
  const value = ctx.store.debugObject(argv[2]);
  if (value === null) throw new CommandError('ERR no such key');
  const length = serializedLength(value.value ?? Buffer.alloc(0), value.encoding === 'int');
  return status(
    `Value at:0x${value.address.toString(16)} refcount:${value.refcount} encoding:${value.encoding} ` +
      `serializedlength:${length} lru:${value.lru} lru_seconds_idle:${value.idleSeconds}`,
  );
}

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (debug.c): SAVE, then the keys and the function libraries emptied
 * (emptyData), then the dump loaded back; MERGE lets the dump's libraries replace ones of the same name. A key the
 * dump has that is still here (NOFLUSH) is overwritten rather than killing the server. Other threads' clients are
 * not held meanwhile.
 */
function reload(argv: Buffer[], ctx: CommandContext): Reply {
  let flush = true;
  let save = true;
  let merge = false;
  for (const option of argv.slice(2)) {
    const word = option.toString('latin1').toLowerCase();
    if (word === 'merge') merge = true;
    else if (word === 'noflush') flush = false;
    else if (word === 'nosave') save = false;
    else throw new CommandError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const persistence = ctx.server.persistence;
  if (persistence === undefined) throw new CommandError('ERR Error trying to load the RDB dump');
  if (save) persistence.save();
  if (flush) {
    ctx.store.flushAll();
    ctx.server.functions?.flush();
  }
  let loaded: { keys: number } | null;
  try {
    loaded = persistence.load({ replaceKeys: !flush, replaceLibraries: merge });
  } catch {
    loaded = null;
  }
  if (loaded === null) throw new CommandError('ERR Error trying to load the RDB dump');
  return OK;
}

function debug(argv: Buffer[], ctx: CommandContext): Reply {
  const sub = argv[1].toString('latin1').toLowerCase();
  if (argv.length === 2 && sub === 'help') return helpReply('debug', HELP);
  if (argv.length === 3 && sub === 'object') return object(argv, ctx);
  if (sub === 'reload') return reload(argv, ctx);
  if (argv.length === 3 && sub === 'sleep') return sleep(argv);
  if (argv.length === 3 && sub === 'set-active-expire') {
    ctx.server.counters?.setActiveExpire(atoi(argv[2]) !== 0);
    return OK;
  }
  throw syntaxError(argv);
}

export const debugCommand: CommandSpec = {
  name: 'debug',
  syntax: 'DEBUG',
  summary: 'A container for debugging commands',
  group: 'server',
  since: '1.0.0',
  arity: -2,
  flags: ['admin', 'noscript', 'loading', 'stale', 'protected'],
  keys: [0, 0, 0],
  run: debug,
};
