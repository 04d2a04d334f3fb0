// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] (redis.io/commands/lcs; Redis 7.0's t_string.c
// lcsCommand): the longest common subsequence of two strings, by the same dynamic-programming table and the same
// walk back through it, so ties resolve and match ranges come out exactly as Redis's. Both keys are read at one
// instant (the store's MGET) and looked up first, as Redis does, so they count a hit or miss (and a `keymiss`)
// even when an option is then refused. The table is computed outside any lock.

import { toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { notifyMiss } from '../pubsub/keyspace-events.js';
import { array, bulk, bulkString, integer, map, type Reply } from '../reply.js';
import { isWord } from './bitmap.js';

interface Options {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: bigint;
}

function options(argv: Buffer[]): Options {
  const o: Options = { len: false, idx: false, withMatchLen: false, minMatchLen: 0n };
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isWord(argv[j], 'IDX')) o.idx = true;
    else if (isWord(argv[j], 'LEN')) o.len = true;
    else if (isWord(argv[j], 'WITHMATCHLEN')) o.withMatchLen = true;
    else if (isWord(argv[j], 'MINMATCHLEN') && more > 0) {
      const n = toBigInt(argv[++j]);
      o.minMatchLen = n < 0n ? 0n : n;
    } else throw new CommandError(ERR.syntax);
  }
  if (o.len && o.idx)
    throw new CommandError('ERR If you want both the length and indexes, please just use IDX.');
  return o;
}

function lcs(argv: Buffer[], ctx: CommandContext): Reply {
  const [first, second] = ctx.store.mget([argv[1], argv[2]]);
  // MGET's nil is also a container: found, but no string, which LCS refuses before reading its options.
  const foundFirst = first !== null || ctx.store.type(argv[1]) !== 'none';
  const foundSecond = second !== null || ctx.store.type(argv[2]) !== 'none';
  const misses = (foundFirst ? 0 : 1) + (foundSecond ? 0 : 1);
  ctx.server.counters?.keyLookups(2 - misses, misses);
  notifyMiss(ctx, argv[1], foundFirst);
  notifyMiss(ctx, argv[2], foundSecond);
  if ((foundFirst && first === null) || (foundSecond && second === null)) {
    throw new CommandError('ERR The specified keys must contain string values');
  }
  const o = options(argv);
  const a = first ?? Buffer.alloc(0);
  const b = second ?? Buffer.alloc(0);
  if (a.length >= 2 ** 32 - 2 || b.length >= 2 ** 32 - 2)
    throw new CommandError('ERR String too long for LCS');
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  if ((alen + 1) * w * 4 > ctx.store.maxValueBytes()) {
    throw new CommandError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array((alen + 1) * w);
  } catch {
    throw new CommandError('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  for (let i = 1; i <= alen; i++) {
    for (let j = 1; j <= blen; j++) {
      if (a[i - 1] === b[j - 1]) table[i * w + j] = table[(i - 1) * w + j - 1] + 1;
      else {
        const up = table[(i - 1) * w + j];
        const left = table[i * w + j - 1];
        table[i * w + j] = up > left ? up : left;
      }
    }
  }
  const length = table[alen * w + blen];
  const computeLcs = o.idx || !o.len;
  const result = Buffer.alloc(computeLcs ? length : 0);
  const matches: Reply[] = [];
  // The walk back, as lcsCommand: a range grows while matches stay contiguous and is emitted when it ends.
  let idx = length;
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computeLcs && i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (o.idx && (o.minMatchLen === 0n || BigInt(matchLen) >= o.minMatchLen)) {
        const match = [array([integer(aStart), integer(aEnd)]), array([integer(bStart), integer(bEnd)])];
        if (o.withMatchLen) match.push(integer(matchLen));
        matches.push(array(match));
      }
      aStart = alen;
    }
  }
  if (o.idx) {
    return map([
      [bulkString('matches'), array(matches)],
      [bulkString('len'), integer(length)],
    ]);
  }
  return o.len ? integer(length) : bulk(result);
}

export const lcsCommands: readonly CommandSpec[] = [
  {
    name: 'lcs',
    syntax: 'LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]',
    summary: 'Find longest common substring',
    group: 'string',
    since: '7.0.0',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 2, 1],
    run: lcs,
  },
];
