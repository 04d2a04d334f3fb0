// CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE (redis.io/commands/client-pause), as Redis 7.0.15's
// clientCommand parses them. The pause itself is shared by every thread (store/client-pause.ts); the clients it
// holds wait in their thread's blocking hub (blocking/postponed.ts), which these commands tell of the change.

import { isKeyword, toBigInt } from '../args.js';
import type { CommandContext } from '../command.js';
import { CommandError, cString } from '../errors.js';
import { OK, type Reply } from '../reply.js';
import { PAUSE_ALL, PAUSE_WRITE, type PauseType } from '../store/client-pause.js';

const LLONG_MAX = 2n ** 63n - 1n;

/**
 * getTimeoutFromObjectOrReply in milliseconds: the pause's end on the server's clock, 0 for a timeout of 0 (no
 * pause). A timeout that overflows `now + timeout` ends in the past, as the wrapped sum does in Redis.
 */
function pauseEnd(argument: Uint8Array, now: number): number {
  const timeout = toBigInt(argument, 'ERR timeout is not an integer or out of range');
  if (timeout < 0n) throw new CommandError('ERR timeout is negative');
  if (timeout === 0n) return 0;
  if (timeout + BigInt(now) > LLONG_MAX) return -1;
  return Number(timeout) + now;
}

/** CLIENT PAUSE timeout [WRITE|ALL]: ALL by default; the mode is checked before the timeout, as in Redis. */
export function clientPause(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 4) {
    throw new CommandError(
      `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try CLIENT HELP.`,
    );
  }
  let type: PauseType = PAUSE_ALL;
  if (argv.length === 4) {
    if (isKeyword(argv[3], 'WRITE')) type = PAUSE_WRITE;
    else if (!isKeyword(argv[3], 'ALL')) throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const now = ctx.server.clock();
  const end = pauseEnd(argv[2], now);
  const blocking = ctx.server.blocking;
  if (blocking === undefined) return OK; // a context without clients to hold (a test's)
  blocking.pause.pause(type, end, now);
  blocking.pauseChanged(false);
  return OK;
}

/** CLIENT UNPAUSE: the pause ends now, on every thread; the clients it held run their commands, in order. */
export function clientUnpause(_argv: Buffer[], ctx: CommandContext): Reply {
  const blocking = ctx.server.blocking;
  if (blocking !== undefined) blocking.pauseChanged(blocking.pause.unpause());
  return OK;
}
