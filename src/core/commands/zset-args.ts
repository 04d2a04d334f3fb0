// What the sorted set commands share: reading scores (util.c getDoubleFromObject: strtod over the whole
// argument, no leading space, no NaN, no overflow), score and lexicographic ranges (t_zset.c zslParseRange and
// zslParseLexRange), Redis's integer arguments with their own messages, and the reply of scored elements (RESP2:
// member, score, member, score...; RESP3: [member, score] pairs, as zrangeResultEmitCBufferToClient).

import { parseInt64 } from '../args.js';
import type { CommandContext } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { isSpace } from '../long-double/strtold.js';
import { array, bulk, double, type Reply } from '../reply.js';
import { strtod } from '../strtod.js';
import type { LexBound, LexRange, ScoredMember, ScoreRange } from '../store/zset-types.js';

export const NOT_FLOAT_RANGE = 'ERR min or max is not a float';
export const NOT_LEX_RANGE = 'ERR min or max not valid string range item';
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A score argument (getDoubleFromObjectOrReply), with Redis's message or the one given. */
export function parseScore(b: Uint8Array, message: string = ERR.notFloat): number {
  if (b.length === 0 || isSpace(b[0])) throw new CommandError(message);
  const { value, end, rangeError } = strtod(b);
  if (end !== b.length || rangeError || Number.isNaN(value)) throw new CommandError(message);
  return value;
}

/** One bound of a score range: C strtod up to the end of the C string (a NUL ends it), NaN refused. */
function scoreBound(b: Uint8Array): { value: number; exclusive: boolean } | null {
  const exclusive = b[0] === 0x28; /* ( */
  const { value, end } = strtod(b, exclusive ? 1 : 0);
  if ((end !== b.length && b[end] !== 0) || Number.isNaN(value)) return null;
  return { value, exclusive };
}

/** zslParseRange: "ERR min or max is not a float" for a bad bound. */
export function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange {
  const low = scoreBound(min);
  const high = scoreBound(max);
  if (low === null || high === null) throw new CommandError(NOT_FLOAT_RANGE);
  return { min: low.value, minex: low.exclusive, max: high.value, maxex: high.exclusive };
}

/** zslParseLexRangeItem: `+`, `-`, `(member` or `[member`. */
function lexBound(b: Buffer): { bound: LexBound; exclusive: boolean } | null {
  const alone = b.length === 1 || b[1] === 0; // C compares c[1] with '\0'
  switch (b[0]) {
    case 0x2b /* + */:
      return alone ? { bound: { kind: 'max' }, exclusive: true } : null;
    case 0x2d /* - */:
      return alone ? { bound: { kind: 'min' }, exclusive: true } : null;
    case 0x28 /* ( */:
      return { bound: { kind: 'value', value: b.subarray(1) }, exclusive: true };
    case 0x5b /* [ */:
      return { bound: { kind: 'value', value: b.subarray(1) }, exclusive: false };
    default:
      return null;
  }
}

export function parseLexRange(min: Buffer, max: Buffer): LexRange {
  const low = lexBound(min);
  const high = lexBound(max);
  if (low === null || high === null) throw new CommandError(NOT_LEX_RANGE);
  return { min: low.bound, minex: low.exclusive, max: high.bound, maxex: high.exclusive };
}

/** getLongFromObjectOrReply, clamped to a safe integer (no sorted set is longer, so no answer changes). */
export function toLong(b: Uint8Array, message: string = ERR.notInteger): number {
  const v = parseInt64(b);
  if (v === null) throw new CommandError(message);
  return Number(v > SAFE ? SAFE : v < -SAFE ? -SAFE : v);
}

/** getPositiveLongFromObjectOrReply: one message for a non-integer and a negative alike. */
export function toPositiveLong(
  b: Uint8Array,
  message = 'ERR value is out of range, must be positive',
): number {
  const v = parseInt64(b);
  if (v === null || v < 0n) throw new CommandError(message);
  return Number(v > SAFE ? SAFE : v);
}

/** getRangeLongFromObjectOrReply(min 1) with a message for both failures (ZMPOP's numkeys and COUNT). */
export function toPositiveWithMessage(b: Uint8Array, message: string): number {
  const v = parseInt64(b);
  if (v === null || v < 1n) throw new CommandError(message);
  return Number(v > SAFE ? SAFE : v);
}

/** Elements with or without their scores, in the shape the client's protocol gets them. */
export function scoredReply(
  ctx: CommandContext,
  elements: readonly ScoredMember[],
  withScores: boolean,
): Reply {
  if (!withScores) return array(elements.map(({ member }) => bulk(member)));
  if (ctx.client.resp === 3)
    return array(elements.map(({ member, score }) => array([bulk(member), double(score)])));
  const out: Reply[] = [];
  for (const { member, score } of elements) out.push(bulk(member), double(score));
  return array(out);
}
