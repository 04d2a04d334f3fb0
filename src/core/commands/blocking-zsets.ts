// The blocking sorted-set commands (Redis 7.0's t_zset.c): BZPOPMIN, BZPOPMAX, BZMPOP. Arguments are read in
// Redis's order, then the blocking hub pops at once or blocks the client (blocking/hub.ts); the score is a
// double reply (RESP3 double, RESP2 bulk), as addReplyDouble writes it. Inside MULTI: a null array at once.

import { isKeyword } from '../args.js';
import { blockingPop, parseCount, parseNumKeys } from '../blocking/command-support.js';
import type { BlockedRequest } from '../blocking/record.js';
import { parseTimeout } from '../blocking/timeout.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { countedKeys, type KeySpec } from '../key-specs.js';
import { CommandError, ERR } from '../errors.js';
import type { Reply } from '../reply.js';

/** BZPOPMIN / BZPOPMAX: every key but the timeout (Redis 7.0's key spec). */
const POPPED_KEYS: readonly KeySpec[] = [
  { flags: ['RW', 'access', 'delete'], index: 1, find: { type: 'range', lastkey: -2, keystep: 1, limit: 0 } },
];

/** BZPOPMIN / BZPOPMAX key [key ...] timeout: the timeout is read first (blockingGenericZpopCommand). */
function popCommand(min: boolean) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const timeout = parseTimeout(argv[argv.length - 1]);
    const request: BlockedRequest = {
      kind: 'zpop',
      db: ctx.store.db,
      keys: argv.slice(1, -1),
      fromHead: min,
      toHead: false,
      count: 1,
      destination: null,
    };
    return blockingPop(ctx, request, timeout);
  };
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the timeout last (zmpopGenericCommand). */
function bzmpop(argv: Buffer[], ctx: CommandContext): Reply {
  const numKeys = parseNumKeys(argv[2]);
  const whereAt = 2 + numKeys + 1;
  if (whereAt >= argv.length) throw new CommandError(ERR.syntax);
  let min: boolean;
  if (isKeyword(argv[whereAt], 'MIN')) min = true;
  else if (isKeyword(argv[whereAt], 'MAX')) min = false;
  else throw new CommandError(ERR.syntax);
  const count = parseCount(argv, whereAt + 1);
  const timeout = parseTimeout(argv[1]);
  const request: BlockedRequest = {
    kind: 'zmpop',
    db: ctx.store.db,
    keys: argv.slice(3, whereAt),
    fromHead: min,
    toHead: false,
    count,
    destination: null,
  };
  return blockingPop(ctx, request, timeout);
}

export const bzpopminSpec: CommandSpec = {
  name: 'bzpopmin',
  syntax: 'BZPOPMIN key [key ...] timeout',
  summary:
    'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
  group: 'sorted-set',
  since: '5.0.0',
  arity: -3,
  flags: ['write', 'noscript', 'blocking', 'fast'],
  keys: [1, -2, 1],
  keySpecs: POPPED_KEYS,
  run: popCommand(true),
};

export const bzpopmaxSpec: CommandSpec = {
  ...bzpopminSpec,
  name: 'bzpopmax',
  syntax: 'BZPOPMAX key [key ...] timeout',
  summary:
    'Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
  run: popCommand(false),
};

export const bzmpopSpec: CommandSpec = {
  name: 'bzmpop',
  syntax: 'BZMPOP timeout numkeys key [key ...] <MIN | MAX> [COUNT count]',
  summary: 'Remove and return members with scores in a sorted set or block until one is available',
  group: 'sorted-set',
  since: '7.0.0',
  arity: -5,
  flags: ['write', 'blocking', 'movablekeys'],
  keys: [0, 0, 0],
  keySpecs: [countedKeys(2, ['RW', 'access', 'delete'])],
  run: bzmpop,
};

export const BLOCKING_ZSET_COMMANDS: readonly CommandSpec[] = [bzpopminSpec, bzpopmaxSpec, bzmpopSpec];
