// What a write command is logged as in the append-only file, so that replaying the file gives the same dataset
// whenever it is replayed (Redis rewrites the same commands before it propagates them): relative times become
// absolute (SET ... EX -> PXAT, EXPIRE -> PEXPIREAT, SETEX -> SET PXAT, RESTORE ttl -> ABSTTL), GEOADD becomes the
// ZADD Redis runs it as, and what chance
// decided becomes what happened (SPOP -> SREM of the members it popped, XADD * -> XADD of the ID it made; a `~` trim, which
// depends on node sizes, is logged by XADD/XTRIM themselves as the exact trim it did); blocking pops are logged by the hub
// that performs them (blocking/hub.ts), as the pops they did; XREADGROUP, XCLAIM and XAUTOCLAIM by themselves, as the
// XCLAIMs Redis propagates in their place (commands/stream-propagation.ts). Everything else is logged as sent: it is deterministic given the same prior
// state, which replaying in order reproduces. A command that changed nothing never gets here: the executor offers
// a write only when Redis's change count moved (dirty.ts); the rules below that drop one by its reply also hold
// where no count is kept. Pure: argv, reply and the clock in, commands out.

import { isKeyword } from '../args.js';
import type { Reply } from '../reply.js';
import { geoaddAsZadd } from '../geo/geoadd.js';
import { storeKeyOf } from '../geo/search-request.js';
import { sortKeyPositions } from '../sort/request.js';
import { parseAddOrTrim } from '../commands/stream-args.js';

type Argv = readonly Uint8Array[];

const text = (s: string): Buffer => Buffer.from(s, 'latin1');
const asNumber = (arg: Uint8Array): number => Number(Buffer.from(arg).toString('latin1'));

const BLOCKING_POPS = new Set([
  'blpop',
  'brpop',
  'blmove',
  'brpoplpush',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
]);

/** Replies that say a command changed nothing it would have to log. */
function changedNothing(reply: Reply): boolean {
  return reply.kind === 'nil' || reply.kind === 'nilArray' || (reply.kind === 'integer' && reply.value == 0);
}

/** The commands to log for `argv` (lower-case name `name`) that replied `reply` at `now` ms; [] for none. */
export function asLogged(name: string, argv: Argv, reply: Reply, now: number): Argv[] {
  switch (name) {
    case 'set':
      return [argv.length === 3 ? argv : setWithAbsoluteExpiry(argv, now)];
    case 'setex':
      return [[text('SET'), argv[1], argv[3], text('PXAT'), text(String(now + asNumber(argv[2]) * 1000))]];
    case 'psetex':
      return [[text('SET'), argv[1], argv[3], text('PXAT'), text(String(now + asNumber(argv[2])))]];
    case 'expire':
    case 'pexpire':
    case 'expireat':
    case 'pexpireat':
      return changedNothing(reply) ? [] : [expireAsPexpireat(name, argv, now)];
    case 'getex':
      return getExAsLogged(argv, reply, now);
    case 'restore':
      return [restoreWithAbsoluteTtl(argv, now)];
    case 'sort':
      // SORT changes something only with STORE (sortGetKeys finds a destination); as sent then, as Redis.
      return sortKeyPositions(argv).length > 1 ? [argv] : [];
    case 'pfadd':
      return changedNothing(reply) ? [] : [argv]; // Redis propagates a PFADD only when a register changed
    case 'pfdebug':
      return pfdebugAsLogged(argv, reply);
    case 'geoadd':
      // Redis runs GEOADD as the ZADD of the points' scores, and propagates that ZADD.
      return [geoaddAsZadd(argv)];
    case 'georadius':
    case 'georadiusbymember':
      // Writes only with STORE or STOREDIST; as sent then, as Redis propagates it.
      return storeKeyOf(argv as Buffer[], name === 'georadius' ? 'radius' : 'radiusMember') === null
        ? []
        : [argv];
    case 'xadd':
      return xaddAsLogged(argv, reply);
    case 'xtrim':
      // A `~` trim is logged by the command as the exact trim it did (commands/streams-write.ts logExactTrim).
      return parseAddOrTrim(argv as Buffer[], false).trim?.approx === true ? [] : [argv];
    case 'xreadgroup':
    case 'xclaim':
    case 'xautoclaim':
      // Logged by the command as the XCLAIMs, SETID or CREATECONSUMER it propagates (stream-groups-read.ts).
      return [];
    case 'spop':
      return popped(reply).length === 0 ? [] : [[text('SREM'), argv[1], ...popped(reply)]];
    default:
      // A blocking pop is logged by blocking/hub.ts as the pop it did, where it does it, whether at once or later.
      return BLOCKING_POPS.has(name) ? [] : [argv];
  }
}

/**
 * XADD with the ID it made in place of `*` or `<ms>-*` (xaddCommand rewrites its ID argument so); nothing when
 * NOMKSTREAM found no stream. With a `~` trim, nothing here: the command logs itself with `=` and the length it
 * left, as Redis propagates it (commands/streams-write.ts logExactTrim), since only it knows that length.
 */
function xaddAsLogged(argv: Argv, reply: Reply): Argv[] {
  if (reply.kind !== 'bulk') return [];
  const { idIndex, trim } = parseAddOrTrim(argv as Buffer[], true);
  if (trim?.approx === true) return [];
  const out = [...argv];
  out[idIndex] = reply.value;
  return [out];
}

/** SET with EX/PX/EXAT: the same SET with PXAT in their place. */
function setWithAbsoluteExpiry(argv: Argv, now: number): Argv {
  const out: Uint8Array[] = [argv[0], argv[1], argv[2]];
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i];
    const unit = isKeyword(option, 'EX') ? 1000 : isKeyword(option, 'PX') ? 1 : 0;
    if (unit !== 0 && i + 1 < argv.length) {
      out.push(text('PXAT'), text(String(now + asNumber(argv[++i]) * unit)));
    } else if (isKeyword(option, 'EXAT') && i + 1 < argv.length) {
      out.push(text('PXAT'), text(String(asNumber(argv[++i]) * 1000)));
    } else out.push(option);
  }
  return out;
}

function expireAsPexpireat(name: string, argv: Argv, now: number): Argv {
  const n = asNumber(argv[2]);
  const at =
    name === 'expire' ? now + n * 1000 : name === 'pexpire' ? now + n : name === 'expireat' ? n * 1000 : n;
  return [text('PEXPIREAT'), argv[1], text(String(at)), ...argv.slice(3)];
}

function getExAsLogged(argv: Argv, reply: Reply, now: number): Argv[] {
  if (reply.kind === 'nil' || argv.length < 3) return [];
  const option = argv[2];
  if (isKeyword(option, 'PERSIST')) return [[text('PERSIST'), argv[1]]];
  const n = argv.length > 3 ? asNumber(argv[3]) : 0;
  const at = isKeyword(option, 'EX')
    ? now + n * 1000
    : isKeyword(option, 'PX')
      ? now + n
      : isKeyword(option, 'EXAT')
        ? n * 1000
        : n;
  return [[text('PEXPIREAT'), argv[1], text(String(at))]];
}

/** RESTORE key ttl payload [...]: a relative ttl (> 0, no ABSTTL) made absolute. */
function restoreWithAbsoluteTtl(argv: Argv, now: number): Argv {
  const ttl = asNumber(argv[2]);
  if (ttl === 0 || argv.slice(4).some((a) => isKeyword(a, 'ABSTTL'))) return argv;
  return [argv[0], argv[1], text(String(now + ttl)), ...argv.slice(3), text('ABSTTL')];
}

/** The members an SPOP reply holds (one bulk, or an array of them). */
function popped(reply: Reply): Uint8Array[] {
  if (reply.kind === 'bulk') return [reply.value];
  if (reply.kind === 'array' || reply.kind === 'set') {
    return reply.value.flatMap((r) => (r.kind === 'bulk' ? [r.value] : []));
  }
  return [];
}

/**
 * PFDEBUG changes a value only when GETREG or TODENSE make a sparse HLL dense, which Redis then propagates; the
 * other subcommands only read. (GETREG's reply cannot tell whether it converted: logged always, a no-op when not.)
 */
function pfdebugAsLogged(argv: Argv, reply: Reply): Argv[] {
  if (isKeyword(argv[1], 'GETREG')) return [argv];
  return isKeyword(argv[1], 'TODENSE') && reply.kind === 'integer' && reply.value == 1 ? [argv] : [];
}
