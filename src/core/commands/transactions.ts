// The transactions family (redis.io/docs/interact/transactions): MULTI, EXEC, DISCARD, WATCH, UNWATCH, with
// Redis 7.0's replies (multi.c). The client's queue and watched keys are its Transaction (transaction.ts); the
// executor queues commands sent inside MULTI. EXEC runs them through the executor's call(), so each is counted
// and fails on its own as it would outside a transaction (no rollback), and no other thread sees the keyspace
// between the first and the last. A null EXEC (a watched key changed) is a null array: `*-1` in RESP2, `_` in
// RESP3.

import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError } from '../errors.js';
import { ClientContexts } from '../command-context.js';
import { call } from '../executor.js';
import { aclDenial, deniedInExec } from '../acl/enforce.js';
import { array, NIL_ARRAY, OK, pinned, type Reply } from '../reply.js';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

function multi(_argv: Buffer[], ctx: CommandContext): Reply {
  if (ctx.client.transaction.active) throw new CommandError('ERR MULTI calls can not be nested');
  ctx.client.transaction.begin();
  return OK;
}

function exec(_argv: Buffer[], ctx: CommandContext): Reply {
  const transaction = ctx.client.transaction;
  if (!transaction.active) throw new CommandError('ERR EXEC without MULTI');
  const outcome = transaction.exec(ctx.store, (commands, store) => {
    // Each command on the database selected when it runs: a SELECT among them switches it for the next ones.
    const inner = new ClientContexts(store, ctx.client, ctx.server);
    ctx.server.aof?.beginTransaction();
    const replies = commands.map(({ spec, argv }) => ({
      reply: runQueued(spec, argv, inner.current()),
      resp: ctx.client.resp,
    }));
    ctx.server.aof?.endTransaction(); // still holding the keys' locks: the block is in the file in their order
    // A HELLO among them switched the protocol: Redis wrote each reply as its command ran, so the ones written
    // in another version than the last keep it.
    const resp = ctx.client.resp;
    return array(replies.map((r) => (r.resp === resp ? r.reply : pinned(r.resp, r.reply))));
  });
  ctx.client.lastCommand = 'exec'; // CLIENT LIST cmd= names EXEC, not its last queued command
  if (outcome === 'aborted') throw new CommandError(EXECABORT);
  return outcome === 'changed' ? NIL_ARRAY : outcome;
}

/** A queued command, unless ACL no longer allows it (execCommand checks each again: the rules may have changed). */
function runQueued(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  if (!ctx.client.aclUnrestricted) {
    const denial = aclDenial(ctx, spec, argv, 'multi');
    if (denial !== null) {
      const message = deniedInExec(denial);
      ctx.server.counters?.errorReplied(message);
      return { kind: 'error', value: message, counted: true };
    }
  }
  return call(spec, argv, ctx);
}

function discard(_argv: Buffer[], ctx: CommandContext): Reply {
  if (!ctx.client.transaction.active) throw new CommandError('ERR DISCARD without MULTI');
  ctx.client.transaction.discard(ctx.store);
  return OK;
}

function watch(argv: Buffer[], ctx: CommandContext): Reply {
  if (ctx.client.transaction.active) throw new CommandError('ERR WATCH inside MULTI is not allowed');
  ctx.client.transaction.watch(ctx.store, argv.slice(1));
  return OK;
}

function unwatch(_argv: Buffer[], ctx: CommandContext): Reply {
  ctx.client.transaction.unwatchAll(ctx.store);
  return OK;
}

const flags = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const transactionCommands: readonly CommandSpec[] = [
  {
    name: 'multi',
    syntax: 'MULTI',
    summary: 'Starts a transaction.',
    group: 'transactions',
    since: '1.2.0',
    arity: 1,
    flags,
    keys: [0, 0, 0],
    run: multi,
  },
  {
    name: 'exec',
    syntax: 'EXEC',
    summary: 'Executes all commands in a transaction.',
    group: 'transactions',
    since: '1.2.0',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
    keys: [0, 0, 0],
    run: exec,
  },
  {
    name: 'discard',
    syntax: 'DISCARD',
    summary: 'Discards a transaction.',
    group: 'transactions',
    since: '2.0.0',
    arity: 1,
    flags,
    keys: [0, 0, 0],
    run: discard,
  },
  {
    name: 'watch',
    syntax: 'WATCH key [key ...]',
    summary: 'Monitors changes to keys to determine the execution of a transaction.',
    group: 'transactions',
    since: '2.2.0',
    arity: -2,
    flags,
    keys: [1, -1, 1],
    run: watch,
  },
  {
    name: 'unwatch',
    syntax: 'UNWATCH',
    summary: 'Forgets about watched keys of a transaction.',
    group: 'transactions',
    since: '2.2.0',
    arity: 1,
    flags,
    keys: [0, 0, 0],
    run: unwatch,
  },
];
