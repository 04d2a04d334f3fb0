// The blocking list commands (Redis 7.0's t_list.c): BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. Each parses its
// arguments in Redis's order (so the same bad request gets the same error), then hands the pop to the blocking
// hub, which runs it at once if a key has something and otherwise blocks the client (blocking/hub.ts).
// Inside MULTI nothing blocks: the reply is BLMOVE's nil or the others' null array, as Redis answers.

import { isKeyword } from '../args.js';
import { BLOCKED_FLAGS, blockingPop, parseCount, parseNumKeys } from '../blocking/command-support.js';
import type { BlockedRequest } from '../blocking/record.js';
import { parseTimeout } from '../blocking/timeout.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { countedKeys, type KeySpec, oneKey } from '../key-specs.js';
import { CommandError, ERR } from '../errors.js';
import type { Reply } from '../reply.js';

/** BLPOP / BRPOP: every key but the timeout, each popped from (Redis 7.0's key spec). */
const POPPED_KEYS: readonly KeySpec[] = [
  { flags: ['RW', 'access', 'delete'], index: 1, find: { type: 'range', lastkey: -2, keystep: 1, limit: 0 } },
];
/** BLMOVE / BRPOPLPUSH: the source popped from, the destination pushed to. */
const MOVE_KEYS: readonly KeySpec[] = [oneKey(1, ['RW', 'access', 'delete']), oneKey(2, ['RW', 'insert'])];

/** LEFT or RIGHT (getListPositionFromObjectOrReply): true for LEFT, the head. */
function listEnd(argument: Buffer): boolean {
  if (isKeyword(argument, 'LEFT')) return true;
  if (isKeyword(argument, 'RIGHT')) return false;
  throw new CommandError(ERR.syntax);
}

/** BLPOP / BRPOP key [key ...] timeout: the timeout is read first (blockingPopGenericCommand). */
function popCommand(fromHead: boolean) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const timeout = parseTimeout(argv[argv.length - 1]);
    const request: BlockedRequest = {
      kind: 'pop',
      db: ctx.store.db,
      keys: argv.slice(1, -1),
      fromHead,
      toHead: false,
      count: 1,
      destination: null,
    };
    return blockingPop(ctx, request, timeout);
  };
}

function moveRequest(
  ctx: CommandContext,
  argv: Buffer[],
  fromHead: boolean,
  toHead: boolean,
): BlockedRequest {
  return {
    kind: 'move',
    db: ctx.store.db,
    keys: [argv[1]],
    fromHead,
    toHead,
    count: 1,
    destination: argv[2],
  };
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the ends first, then the timeout. */
function blmove(argv: Buffer[], ctx: CommandContext): Reply {
  const fromHead = listEnd(argv[3]);
  const toHead = listEnd(argv[4]);
  const timeout = parseTimeout(argv[5]);
  return blockingPop(ctx, moveRequest(ctx, argv, fromHead, toHead), timeout);
}

/** BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT LEFT. */
function brpoplpush(argv: Buffer[], ctx: CommandContext): Reply {
  const timeout = parseTimeout(argv[3]);
  return blockingPop(ctx, moveRequest(ctx, argv, false, true), timeout);
}

/**
 * BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: numkeys, the end and COUNT are read before the
 * timeout (lmpopGenericCommand).
 */
function blmpop(argv: Buffer[], ctx: CommandContext): Reply {
  const numKeys = parseNumKeys(argv[2]);
  const whereAt = 2 + numKeys + 1;
  if (whereAt >= argv.length) throw new CommandError(ERR.syntax);
  const fromHead = listEnd(argv[whereAt]);
  const count = parseCount(argv, whereAt + 1);
  const timeout = parseTimeout(argv[1]);
  const request: BlockedRequest = {
    kind: 'mpop',
    db: ctx.store.db,
    keys: argv.slice(3, whereAt),
    fromHead,
    toHead: false,
    count,
    destination: null,
  };
  return blockingPop(ctx, request, timeout);
}

export const blpopSpec: CommandSpec = {
  name: 'blpop',
  syntax: 'BLPOP key [key ...] timeout',
  summary: 'Remove and get the first element in a list, or block until one is available',
  group: 'list',
  since: '2.0.0',
  arity: -3,
  flags: BLOCKED_FLAGS,
  keys: [1, -2, 1],
  keySpecs: POPPED_KEYS,
  run: popCommand(true),
};

export const brpopSpec: CommandSpec = {
  ...blpopSpec,
  name: 'brpop',
  syntax: 'BRPOP key [key ...] timeout',
  summary: 'Remove and get the last element in a list, or block until one is available',
  run: popCommand(false),
};

export const blmoveSpec: CommandSpec = {
  name: 'blmove',
  syntax: 'BLMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout',
  summary:
    'Pop an element from a list, push it to another list and return it; or block until one is available',
  group: 'list',
  since: '6.2.0',
  arity: 6,
  flags: ['write', 'denyoom', 'noscript', 'blocking'],
  keys: [1, 2, 1],
  keySpecs: MOVE_KEYS,
  run: blmove,
};

export const brpoplpushSpec: CommandSpec = {
  ...blmoveSpec,
  name: 'brpoplpush',
  syntax: 'BRPOPLPUSH source destination timeout',
  since: '2.2.0',
  arity: 4,
  run: brpoplpush,
};

export const blmpopSpec: CommandSpec = {
  name: 'blmpop',
  syntax: 'BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]',
  summary: 'Pop elements from a list, or block until one is available',
  group: 'list',
  since: '7.0.0',
  arity: -5,
  flags: ['write', 'blocking', 'movablekeys'],
  keys: [0, 0, 0],
  keySpecs: [countedKeys(2, ['RW', 'access', 'delete'])],
  run: blmpop,
};

export const BLOCKING_LIST_COMMANDS: readonly CommandSpec[] = [
  blpopSpec,
  brpopSpec,
  blmoveSpec,
  brpoplpushSpec,
  blmpopSpec,
];
