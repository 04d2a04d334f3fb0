// Which arguments of a command line are keys (db.c getKeysFromCommandWithSpecs), in one place for everyone who
// asks: COMMAND GETKEYS, the locks EXEC and a logged write take (transaction.ts keysOf), and the keys a write
// makes ready for blocked clients (blocking/ready-keys.ts). A command names its keys by the legacy first/last/
// step triple, or, where that cannot say them, by Redis 7.0's key specifications (redis.io/docs/reference/
// key-specs): several kinds of key (ZRANGESTORE's destination and source) or a count of keys in the arguments
// (ZUNION numkeys key..., "movablekeys"); COMMAND INFO shows those. Pure: argv in, keys out.

import type { CommandSpec } from './command.js';

/** One key spec: where the search begins (an argument index) and how the keys are found from there. */
export interface KeySpec {
  /** Redis's key spec flags, in its order (RW, access, update, ...). */
  readonly flags: readonly string[];
  readonly index: number;
  readonly find:
    | { readonly type: 'range'; readonly lastkey: number; readonly keystep: number; readonly limit: number }
    | {
        readonly type: 'keynum';
        readonly keynumidx: number;
        readonly firstkey: number;
        readonly keystep: number;
      };
}

/** A range spec of one key at `index`. */
export function oneKey(index: number, flags: readonly string[]): KeySpec {
  return { flags, index, find: { type: 'range', lastkey: 0, keystep: 1, limit: 0 } };
}

/** A range spec of every argument from `index` to the last (SINTERSTORE's sources). */
export function keysToEnd(index: number, flags: readonly string[]): KeySpec {
  return { flags, index, find: { type: 'range', lastkey: -1, keystep: 1, limit: 0 } };
}

/** A "numkeys key [key ...]" spec: the count at `index`, the keys after it. */
export function countedKeys(index: number, flags: readonly string[]): KeySpec {
  return { flags, index, find: { type: 'keynum', keynumidx: 0, firstkey: 1, keystep: 1 } };
}

/** What commandKeys reads of a command. */
export type KeyedCommand = Pick<CommandSpec, 'keys' | 'keySpecs' | 'notKeys' | 'getKeys'>;

/**
 * Whether the command has key arguments at all (doesCommandHaveKeys): key specs, a getkeys procedure, or a key range whose
 * arguments are keys (not SPUBLISH's shard channels).
 */
export function hasKeyArguments(spec: KeyedCommand): boolean {
  return (
    spec.keySpecs !== undefined || spec.getKeys !== undefined || (spec.keys[0] !== 0 && spec.notKeys !== true)
  );
}

/**
 * The keys of a whole command line `argv` (argv[0] is the command's name; a subcommand's line starts with its
 * container's name): by its key specs if it declares them, else by its first/last/step; none for a command
 * without key arguments. Null when the line's key count is not a positive integer or counts more keys than
 * there are arguments (COMMAND GETKEYS: invalid arguments; the command itself reports it). A range is cut at
 * the end of argv (a short line names fewer keys; the arity check reports it).
 */
export function commandKeys(spec: KeyedCommand, argv: readonly Buffer[]): Buffer[] | null {
  const keys: Buffer[] = [];
  return visitKeys(spec, argv, (position) => keys.push(argv[position])) ? keys : null;
}

/** Where a key is in argv, and the index of the key spec that found it (-1: the first/last/step range). */
export interface KeyPosition {
  readonly position: number;
  readonly spec: number;
}

/** commandKeys's keys as positions in argv, each with the key spec that found it (COMMAND GETKEYSANDFLAGS). */
export function commandKeyPositions(spec: KeyedCommand, argv: readonly Buffer[]): KeyPosition[] | null {
  const positions: KeyPosition[] = [];
  const valid = visitKeys(
    spec,
    argv,
    (position, specIndex) => positions.push({ position, spec: specIndex }),
    true,
  );
  return valid ? positions : null;
}

/** Calls `visit` with each key's position in argv and its key spec; false when the line is invalid. */
function visitKeys(
  spec: KeyedCommand,
  argv: readonly Buffer[],
  visit: (position: number, specIndex: number) => void,
  strict = false,
): boolean {
  if (spec.getKeys !== undefined) {
    for (const key of spec.getKeys(argv)) visit(key.position, key.spec);
    return true;
  }
  if (spec.keySpecs !== undefined) return visitSpecKeys(spec.keySpecs, argv, visit, strict);
  if (!hasKeyArguments(spec)) return true;
  const [first, lastSpec, step] = spec.keys;
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  for (let i = first; i <= last && i < argv.length; i += step) visit(i, -1);
  return true;
}

/**
 * The keys argv names by these specs (getKeysUsingKeySpecs); false when a key count is not a positive integer or
 * counts more keys than there are arguments (COMMAND GETKEYS: invalid arguments). Keys of a range past the end
 * of argv are left out (the command reports that), unless `strict`: then, as COMMAND GETKEYS, a range that
 * begins past the end or ends before it begins makes the line invalid (PFMERGE destkey with no source).
 */
function visitSpecKeys(
  specs: readonly KeySpec[],
  argv: readonly Buffer[],
  visit: (position: number, specIndex: number) => void,
  strict: boolean,
): boolean {
  for (let s = 0; s < specs.length; s++) {
    const spec = specs[s];
    const first = spec.index;
    if (first >= argv.length) {
      if (strict) return false;
      continue;
    }
    let start = first;
    let last: number;
    let step: number;
    if (spec.find.type === 'range') {
      const { lastkey, keystep, limit } = spec.find;
      step = keystep;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit <= 1) last = argv.length + lastkey;
      else last = first + Math.floor((argv.length - 1 - first) / limit);
    } else {
      const { keynumidx, firstkey, keystep } = spec.find;
      const text = argv[first + keynumidx]?.toString('latin1') ?? '';
      // As the commands' own getkeys procedures (zunionInterDiffGetKeys, genericGetKeys): at least one key,
      // every counted key present.
      if (!/^[1-9][0-9]{0,17}$/.test(text)) return false;
      step = keystep;
      start = first + firstkey;
      last = start + Number(text) - 1;
      if (last >= argv.length) return false;
    }
    for (let i = start; i <= last && i < argv.length; i += step) visit(i, s);
  }
  return true;
}
