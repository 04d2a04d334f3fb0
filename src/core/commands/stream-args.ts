// The arguments the stream commands share, read as t_stream.c reads them: XADD's and XTRIM's options
// (streamParseAddOrTrimArgsOrReply), IDs (streamGenericParseIDOrReply) and range bounds with `(`
// (streamParseIntervalIDOrReply), and XREAD's and XREADGROUP's BLOCK and COUNT, with Redis's exact error texts.
// Argv in, a request or a CommandError out.

import { isKeyword, parseInt64, toBigInt } from '../args.js';
import type { CommandContext } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { MAX_U64, parseStreamId, STREAM_ERR, type ParsedId, type StreamId } from '../store/stream-id.js';
import { NODE_MAX_ENTRIES, type TrimSpec } from '../store/stream.js';

export const ARGS_ERR = {
  bothStrategies: 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
  maxlenNegative: 'ERR The MAXLEN argument must be >= 0.',
  limitNegative: 'ERR The LIMIT argument must be >= 0.',
  limitWithoutStrategy: 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  xtrimWithoutStrategy: 'ERR syntax error, XTRIM must be called with a trimming strategy',
  limitWithoutApprox: 'ERR syntax error, LIMIT cannot be used without the special ~ option',
  zeroId: 'ERR The ID specified in XADD must be greater than 0-0',
  invalidStart: 'ERR invalid start ID for the interval',
  invalidEnd: 'ERR invalid end ID for the interval',
} as const;

/** An ID argument, or Redis's invalid-ID error. */
export function streamIdArg(arg: Uint8Array, missingSeq: bigint, strict: boolean, autoSeq = false): ParsedId {
  const parsed = parseStreamId(arg, missingSeq, strict, autoSeq);
  if (parsed === null) throw new CommandError(STREAM_ERR.invalidId);
  return parsed;
}

export interface AddOrTrimArgs {
  readonly trim: TrimSpec | null;
  /** XADD: the argument index of its ID. */
  readonly idIndex: number;
  /** XADD: null for `*`. */
  readonly id: ParsedId | null;
  readonly noMkStream: boolean;
  /** The index of the MAXLEN/MINID value (what Redis rewrites after a `~` trim), 0 without one. */
  readonly trimArgIndex: number;
}

/**
 * streamParseAddOrTrimArgsOrReply: XADD's options up to its ID (xadd true), or XTRIM's options; a `~` trim without
 * LIMIT may remove 100 nodes' worth of entries (stream-node-max-entries).
 */
export function parseAddOrTrim(
  argv: readonly Buffer[],
  xadd: boolean,
  nodeMaxEntries = NODE_MAX_ENTRIES,
): AddOrTrimArgs {
  let strategy: 'maxlen' | 'minid' | null = null;
  let approx = false;
  let maxlen = 0;
  let minid: StreamId = 0n;
  let limit = 0;
  let limitGiven = false;
  let noMkStream = false;
  let id: ParsedId | null = null;
  let trimArgIndex = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt.length === 1 && opt[0] === 0x2a) break; // '*'
    if ((isKeyword(opt, 'MAXLEN') || isKeyword(opt, 'MINID')) && more > 0) {
      if (strategy !== null) throw new CommandError(ARGS_ERR.bothStrategies);
      const isMaxlen = isKeyword(opt, 'MAXLEN');
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        approx = true;
        i++;
      } else if (more >= 2 && next.length === 1 && next[0] === 0x3d) i++;
      if (isMaxlen) {
        const n = toBigInt(argv[i + 1]);
        if (n < 0n) throw new CommandError(ARGS_ERR.maxlenNegative);
        maxlen = Number(n);
      } else minid = streamIdArg(argv[i + 1], 0n, true).id;
      i++;
      strategy = isMaxlen ? 'maxlen' : 'minid';
      trimArgIndex = i;
    } else if (isKeyword(opt, 'LIMIT') && more > 0) {
      const n = toBigInt(argv[i + 1]);
      if (n < 0n) throw new CommandError(ARGS_ERR.limitNegative);
      limit = Number(n);
      limitGiven = true;
      i++;
    } else if (xadd && isKeyword(opt, 'NOMKSTREAM')) noMkStream = true;
    else if (xadd) {
      id = streamIdArg(opt, 0n, true, true);
      break;
    } else throw new CommandError(ERR.syntax);
  }
  if (limit !== 0 && strategy === null) throw new CommandError(ARGS_ERR.limitWithoutStrategy);
  if (!xadd && strategy === null) throw new CommandError(ARGS_ERR.xtrimWithoutStrategy);
  if (limitGiven) {
    if (!approx) throw new CommandError(ARGS_ERR.limitWithoutApprox);
  } else if (approx) limit = Math.min(Math.max(100 * nodeMaxEntries, 0) || 10000, 1000000);
  else limit = 0;
  const trim: TrimSpec | null =
    strategy === null ? null : { strategy, maxlen, minid, approx, limit: approx ? limit : 0 };
  return { trim, idIndex: i, id, noMkStream, trimArgIndex };
}

/**
 * A range bound of XRANGE / XREVRANGE: `-`, `+`, an ID (a missing sequence is 0 for a start, the largest for an
 * end), or `(` and an ID for an exclusive bound, moved one ID inwards.
 */
export function rangeBound(arg: Uint8Array, isStart: boolean): StreamId {
  const missingSeq = isStart ? 0n : MAX_U64;
  const exclusive = arg.length > 1 && arg[0] === 0x28; // '('
  if (!exclusive) return streamIdArg(arg, missingSeq, false).id;
  const id = streamIdArg(arg.subarray(1), missingSeq, true).id;
  if (isStart) {
    if (id === (MAX_U64 << 64n) + MAX_U64) throw new CommandError(ARGS_ERR.invalidStart);
    return id + 1n;
  }
  if (id === 0n) throw new CommandError(ARGS_ERR.invalidEnd);
  return id - 1n;
}

/**
 * BLOCK's milliseconds, as xreadCommand reads them for XREAD and XREADGROUP: refused from a script's client
 * (scripting/script-run.ts) by the name the script used, then an integer of at least 0.
 */
export function blockTimeoutArg(command: Buffer, value: Buffer, ctx: CommandContext): number {
  if (ctx.client.addr === 'lua') {
    throw new CommandError(
      `ERR ${command.toString('latin1')} command is not allowed with BLOCK option from scripts`,
    );
  }
  const ms = parseInt64(value);
  if (ms === null) throw new CommandError('ERR timeout is not an integer or out of range');
  if (ms < 0n) throw new CommandError('ERR timeout is negative');
  return Number(ms);
}

/** COUNT of XREAD and XREADGROUP: an integer, a negative one read as 0 (no limit). */
export function readCountArg(value: Buffer): number {
  const n = parseInt64(value);
  if (n === null) throw new CommandError(ERR.notInteger);
  return n < 0n ? 0 : Number(n);
}
