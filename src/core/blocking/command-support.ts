// What the blocking commands share: their flags, the numkeys and COUNT arguments of BLMPOP and BZMPOP (read as
// lmpopGenericCommand / zmpopGenericCommand read them), and handing a parsed request to the thread's blocking
// hub. Knows commands' contexts and the hub; nothing of threads.

import type { CommandContext, CommandFlag } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { isKeyword, parseInt64 } from '../args.js';
import type { Reply } from '../reply.js';
import { nonBlockingNil } from './hub.js';
import type { BlockedRequest } from './record.js';

/** BLPOP, BRPOP (COMMAND INFO: write noscript blocking). */
export const BLOCKED_FLAGS: readonly CommandFlag[] = ['write', 'noscript', 'blocking'];

const LONG_MAX = 2n ** 63n - 1n;

/** getRangeLongFromObjectOrReply(1, LONG_MAX) with `message` for a non-integer and for a value out of range. */
function positiveLong(argument: Uint8Array, message: string): number {
  const value = parseInt64(argument);
  if (value === null || value < 1n || value > LONG_MAX) throw new CommandError(message);
  // Beyond any argv length: a count that large pops everything, a numkeys that large is a syntax error next.
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

export function parseNumKeys(argument: Uint8Array): number {
  return positiveLong(argument, 'ERR numkeys should be greater than 0');
}

/** [COUNT count] from `at` to the end: 1 when absent; a second COUNT or anything else is a syntax error. */
export function parseCount(argv: readonly Buffer[], at: number): number {
  let count = -1;
  for (let j = at; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && isKeyword(argv[j], 'COUNT') && more > 0) {
      count = positiveLong(argv[++j], 'ERR count should be greater than 0');
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return count === -1 ? 1 : count;
}

/** Pops at once or blocks the client (blocking/hub.ts); without a hub (a bare test context) it never blocks. */
export function blockingPop(ctx: CommandContext, request: BlockedRequest, timeoutMs: number): Reply {
  const hub = ctx.server.blocking;
  if (hub === undefined) throw new CommandError('ERR blocking commands are not available here');
  const client = ctx.client;
  return hub.block(
    ctx.store,
    client,
    client.blockedTarget,
    request,
    timeoutMs,
    nonBlockingNil(request.kind === 'move'),
    ctx.server.aof,
  );
}
