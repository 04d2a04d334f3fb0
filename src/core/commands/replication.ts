// The replication commands a client or an operator sends to any Redis, answered as redis-server 7.0.15 answers
// them as a master that has no replicas (this server never has any): ROLE, and WAIT, which blocks for as long as
// it is told to since no replica will ever acknowledge (replication.c roleCommand, waitCommand). Knows the
// blocking hub; nothing of threads.

import { toBigInt } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import { array, bulkString, integer, type Reply, ZERO } from '../reply.js';

/**
 * ROLE: ["master", master_repl_offset, [replicas]]. The offset is 0: Redis's stays 0 until a replica has
 * connected and a replication backlog exists, which never happens here.
 */
const ROLE_REPLY: Reply = array([bulkString('master'), integer(0), array([])]);

const LLONG_MAX = 2n ** 63n - 1n;

/**
 * WAIT's timeout as getTimeoutFromObjectOrReply reads it in milliseconds: a long long, not negative; 0 is
 * forever. Beyond any clock (Redis adds it to mstime()), a huge one is kept as a plain number of ms.
 */
function parseWaitTimeout(argument: Uint8Array): number {
  const value = toBigInt(argument, 'ERR timeout is not an integer or out of range');
  if (value < 0n) throw new CommandError('ERR timeout is negative');
  return Number(value > LLONG_MAX ? LLONG_MAX : value);
}

/**
 * WAIT numreplicas timeout: the replicas that acknowledged this client's writes, none here. With numreplicas of
 * 0 or less that is enough at once; otherwise the client blocks until its timeout (or CLIENT UNBLOCK), then gets
 * 0, as Redis 7.0 does with no replicas. Inside MULTI it never blocks.
 */
function wait(argv: Buffer[], ctx: CommandContext): Reply {
  const wanted = toBigInt(argv[1]);
  const timeoutMs = parseWaitTimeout(argv[2]);
  if (wanted <= 0n) return ZERO;
  const hub = ctx.server.blocking;
  if (hub === undefined) return ZERO;
  return hub.blockForReplicas(ctx.client, ctx.client.blockedTarget, timeoutMs);
}

export const replicationCommands: readonly CommandSpec[] = [
  {
    name: 'role',
    syntax: 'ROLE',
    summary: 'Returns the replication role.',
    group: 'server',
    since: '2.8.12',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    keys: [0, 0, 0],
    run: () => ROLE_REPLY,
  },
  {
    name: 'wait',
    syntax: 'WAIT numreplicas timeout',
    summary:
      'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    group: 'generic',
    since: '3.0.0',
    arity: 3,
    flags: ['noscript'],
    keys: [0, 0, 0],
    run: wait,
  },
];
