// argv -> Reply. Looks the command up, checks existence, arity, protection and authentication once, centrally,
// in the order Redis 7's processCommand does (existence, arity, protected, then NOAUTH), and maps failures to
// error replies. A CommandError becomes its error reply; anything else is a bug: reported once and answered
// with -ERR, so the connection (and on the pool, the worker thread) lives on. Counts what INFO commandstats and
// errorstats report as server.c does: a refused command in rejected_calls, a command that ran in calls, usec
// and, when it replied an error, failed_calls; every error reply by its code. Knows nothing of transports or
// threads.

import { diskErrorRefusal } from './disk-error.js';
import { refusedForMemory } from './memory-limit.js';
import { performance } from 'node:perf_hooks';
import { signalWrittenKeys } from './blocking/ready-keys.js';
import type { BlockingHub } from './blocking/hub.js';
import { PAUSE_ALL, PAUSE_OFF } from './store/client-pause.js';
import { busyError, waitForRunningScript } from './scripting/busy-gate.js';
import { allowProtectedAction } from './protected-action.js';
import type {
  AppendOnlyLog,
  ClientState,
  CommandContext,
  CommandSpec,
  CommandTable,
  ServerContext,
} from './command.js';
import { CommandError, ERR, cString } from './errors.js';
import { feedMonitor } from './monitor.js';
import { slowCommandEnded } from './slowlog/record.js';
import { error, status, type Reply } from './reply.js';
import { keysOfCommand } from './transaction.js';
import { afterCommand, beforeCommand } from './tracking/command-hooks.js';
import { countWrongTypeLookups } from './wrong-type-lookups.js';
import { aclDenial, deniedAtTopLevel } from './acl/enforce.js';

/**
 * Top-level commands bucketed by name length and first letter, so the hot path finds a command by comparing
 * argv[0]'s bytes instead of building a lower-case string per request (bench/results/core-throughput.md).
 * An array, not a Map: the key is a small integer.
 */
type ByteIndex = (CommandSpec[] | undefined)[];

/** Longer names are never commands (the longest is well below). */
const MAX_NAME = 32;

function bucketKey(length: number, first: number): number {
  return length * 32 + (first & 0x1f); // ASCII letters fold to the same key in either case
}

/**
 * The table createCommandTable builds: the CommandTable lookups plus, on the instance, the byte index and the
 * few commands flagged 'protected' (a search of that short list costs less than one of each command's flags).
 * A CommandTable made elsewhere (a test fake) has neither, and the executor falls back to lookup() and flags.
 */
interface TableIndex {
  readonly byBytes: ByteIndex;
  readonly protectedSpecs: readonly CommandSpec[];
}

/** What the executor reads of a table: its index, when it is one createCommandTable built. */
type MaybeIndexed = CommandTable & { readonly index?: TableIndex };

class IndexedCommandTable implements CommandTable {
  readonly index: TableIndex;
  private readonly byName = new Map<string, CommandSpec>();
  private readonly slotList: CommandSpec[] = [];
  private readonly slotOfSpec: Map<CommandSpec, number>;

  private readonly commands: readonly CommandSpec[];

  constructor(declared: readonly CommandSpec[]) {
    this.commands = declared.map(withOneShape);
    const commands = this.commands;
    // Filled up front so the array stays dense (fast element reads), not a sparse dictionary.
    const byBytes = new Array<CommandSpec[] | undefined>((MAX_NAME + 1) * 32).fill(undefined);
    for (const spec of commands) {
      if (this.byName.has(spec.name)) throw new Error(`command '${spec.name}' is declared twice`);
      this.byName.set(spec.name, spec);
      this.slotList.push(spec);
      for (const sub of spec.subcommands ?? []) {
        this.byName.set(sub.name, sub);
        this.slotList.push(sub);
      }
      if (spec.name.length > MAX_NAME) throw new Error(`command name '${spec.name}' is too long`);
      const key = bucketKey(spec.name.length, spec.name.charCodeAt(0));
      (byBytes[key] ??= []).push(spec);
    }
    this.slotOfSpec = new Map(this.slotList.map((spec, slot) => [spec, slot]));
    this.index = { byBytes, protectedSpecs: this.slotList.filter((s) => s.flags.includes('protected')) };
  }

  lookup(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  all(): readonly CommandSpec[] {
    return this.commands;
  }

  slots(): readonly CommandSpec[] {
    return this.slotList;
  }

  slotOf(spec: CommandSpec): number {
    return this.slotOfSpec.get(spec) ?? -1;
  }
}

/**
 * The spec with every field CommandSpec may have, in one order (an absent one undefined), its subcommands too. The
 * specs are object literals, each with the optional fields it needs, so each has a hidden class of its own, and
 * the executor's reads of `flags`, `run` or `name` on whichever spec a request names went through V8's megamorphic
 * load stub every time: 2-3% of the event loop's CPU under pipelined SETs. The table holds these copies, so
 * every spec the executor meets has one shape.
 */
function withOneShape(spec: CommandSpec): CommandSpec {
  return {
    name: spec.name,
    syntax: spec.syntax,
    summary: spec.summary,
    group: spec.group,
    since: spec.since,
    arity: spec.arity,
    flags: spec.flags,
    keys: spec.keys,
    notKeys: spec.notKeys,
    keySpecs: spec.keySpecs,
    keyFlagsOf: spec.keyFlagsOf,
    getKeys: spec.getKeys,
    readsUnnamedKeys: spec.readsUnnamedKeys,
    runsScript: spec.runsScript,
    mayReplicate: spec.mayReplicate,
    subcommands: spec.subcommands?.map(withOneShape),
    run: spec.run,
  };
}

/** Builds the lookup structure once; `commands` is the explicit list in commands/table.ts. */
export function createCommandTable(commands: readonly CommandSpec[]): CommandTable {
  return new IndexedCommandTable(commands);
}

/** ASCII case-insensitive: name (lower case) equals the bytes. Command names are ASCII. */
function nameEquals(name: string, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** The top-level command named by argv[0] (never a "container|sub" name), case-insensitively. */
function lookupCommand(name: Buffer, table: CommandTable): CommandSpec | undefined {
  const index = (table as MaybeIndexed).index;
  if (index === undefined) {
    const lower = name.toString('latin1').toLowerCase();
    return lower.includes('|') ? undefined : table.lookup(lower);
  }
  if (name.length === 0 || name.length > MAX_NAME) return undefined;
  const bucket = index.byBytes[bucketKey(name.length, name[0])];
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) if (nameEquals(bucket[i].name, name)) return bucket[i];
  return undefined;
}

/** Redis's unknown-command line: the name and up to ~128 bytes of arguments, each quoted and followed by a space. */
function unknownCommand(argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i], 128 - args.length)}' `;
  }
  const name = cString(argv[0], 128);
  return `ERR unknown command '${name}', with args beginning with: ${args}`.replace(/[\r\n]/g, ' ');
}

function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}

/** A request refused before its command runs: the error line, and the command it names (null: unknown). */
interface Refusal {
  readonly message: string;
  readonly spec: CommandSpec | null;
}

/** Resolves argv to the spec that runs it (a subcommand for a container), or why it is refused. */
function resolve(argv: Buffer[], table: CommandTable): CommandSpec | Refusal {
  const spec = lookupCommand(argv[0], table);
  if (spec === undefined) return { message: unknownCommand(argv), spec: null };
  if (spec.subcommands === undefined || argv.length < 2) {
    return arityOk(spec.arity, argv.length) ? spec : { message: ERR.wrongArity(spec.name), spec };
  }
  const subName = argv[1].toString('latin1').toLowerCase();
  const sub = table.lookup(`${spec.name}|${subName}`);
  if (sub === undefined) {
    const shown = cString(argv[1], 128).replace(/[\r\n]/g, ' ');
    // No command to count it against: Redis's lookupCommand found none (rejected_calls stays as it is).
    return { message: `ERR unknown subcommand '${shown}'. Try ${spec.name.toUpperCase()} HELP.`, spec: null };
  }
  return arityOk(sub.arity, argv.length) ? sub : { message: ERR.wrongArity(sub.name), spec: sub };
}

const QUEUED = status('QUEUED');

/** db.c's forceCommandPropagation: logged even when they changed nothing (the database was already empty). */
const ALWAYS_LOGGED = new Set(['flushall', 'flushdb']);

/** What a RESP2 client in subscribed state may run. */
const ALLOWED_SUBSCRIBED = new Set([
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
]);

/** processCommand's refusal, naming the command by its full name ('client|list' for a subcommand). */
const subscribedOnly = (name: string): string =>
  `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in ` +
  'this context';

/** The command as Redis's processCommand refuses it when enable-debug-command does not allow it. */
function protectedCommand(spec: CommandSpec): string {
  const name = spec.name.toUpperCase();
  return (
    `ERR ${name} command not allowed. If the enable-debug-command option is set to "local", you can run it ` +
    'from a local connection, otherwise you need to set this option in the configuration file, and then ' +
    'restart the server.'
  );
}

function isProtected(spec: CommandSpec, table: CommandTable): boolean {
  const specs = (table as MaybeIndexed).index?.protectedSpecs;
  return specs === undefined ? spec.flags.includes('protected') : specs.length > 0 && specs.includes(spec);
}

/** networking.c authRequired's server half: the default user needs a password (or is off). */
function authRequired(server: ServerContext): boolean {
  const acl = server.acl;
  return acl === undefined ? server.requirePass() !== '' : acl.authRequired;
}

/** server.c allowProtectedAction for the enable-debug-command setting. */
function protectedAllowed(server: ServerContext, client: ClientState): boolean {
  return allowProtectedAction(server.enableDebugCommand(), client);
}

/**
 * Runs one request. Inside MULTI a command that passes these checks is queued (QUEUED) instead of run, and one
 * refused here marks the transaction failed, as Redis's rejectCommand does (transaction.ts).
 */
export function execute(argv: Buffer[], ctx: CommandContext): Reply {
  const resolved = resolve(argv, ctx.server.commands);
  const client = ctx.client;
  if ('message' in resolved) return reject(ctx, argv, resolved.message, resolved.spec);
  client.lastCommand = resolved.name;
  if (isProtected(resolved, ctx.server.commands) && !protectedAllowed(ctx.server, client)) {
    return reject(ctx, argv, protectedCommand(resolved), resolved);
  }
  if (!client.authenticated && !resolved.flags.includes('no_auth') && authRequired(ctx.server)) {
    return reject(ctx, argv, ERR.noAuth, resolved);
  }
  if (client.transaction.active && resolved.flags.includes('no_multi')) {
    return reject(ctx, argv, 'ERR Command not allowed inside a transaction', resolved);
  }
  // ACL (processCommand, after authentication): the default user allows everything, and its clients pay only
  // this flag's read.
  if (!client.aclUnrestricted) {
    const denial = aclDenial(ctx, resolved, argv, client.transaction.active ? 'multi' : 'toplevel');
    if (denial !== null) return reject(ctx, argv, deniedAtTopLevel(resolved, denial), resolved);
  }
  // A RESP2 client in subscribed state may only (un)subscribe, PING, QUIT or RESET (server.c processCommand);
  // RESP3 has no limit (replies and pushes are told apart there).
  if (client.pubsub?.active === true && client.resp === 2 && !ALLOWED_SUBSCRIBED.has(resolved.name)) {
    return reject(ctx, argv, subscribedOnly(resolved.name), resolved);
  }
  // A monitor is a replica to Redis (CLIENT_SLAVE): it may not read or write keys.
  if (client.monitor === true && (resolved.flags.includes('readonly') || mayReplicate(resolved, argv, ctx))) {
    return reject(ctx, argv, "ERR Replica can't interact with the keyspace", resolved);
  }
  if (resolved.run === undefined) return reject(ctx, argv, ERR.wrongArity(resolved.name), resolved);
  if (refusedForMemory(ctx, resolved)) return reject(ctx, argv, ERR.oom, resolved);
  // Client-side caching keeps its table within tracking-table-max-keys (processCommand, after evictions).
  ctx.server.tracking?.limit();
  // server.c processCommand: writes (and PING) are refused while the server cannot persist them (a failed BGSAVE
  // with save points set, a failed write to the append-only file). The state first: two loads while all is well.
  const refusal = diskErrorRefusal(ctx.server);
  if (refusal !== null && (isWriteCommand(resolved, client) || resolved.name === 'ping')) {
    return reject(ctx, argv, refusal, resolved);
  }
  // processCommand: while the dataset loads at start-up only commands flagged `loading` run (INFO, CONFIG, ...).
  if (ctx.server.persistence?.loading() === true && !resolved.flags.includes('loading')) {
    return reject(ctx, argv, ERR.loading, resolved);
  }
  // A script running on another thread (processCommand's busy check, after the refusals above as in Redis): wait
  // for it, or BUSY once it has run past busy-reply-threshold. One shared load while none runs.
  const busy = ctx.server.scripting?.cache.busy;
  if (busy !== undefined && busy.state() !== 0) {
    if (busy.servingFromHook) return executeInsideScript(resolved, argv, ctx, busy.state());
    const refused = waitForRunningScript(busy, resolved.flags.includes('allow_busy'));
    if (refused !== null) return reject(ctx, argv, refused, resolved);
  }
  // CLIENT PAUSE (processCommand, after every refusal): the client waits, its command unrun.
  const postponed = postponedByPause(resolved, argv, ctx);
  if (postponed !== null) return postponed;
  if (client.transaction.queues(resolved)) {
    client.transaction.queue(resolved, argv, mayReplicate(resolved, argv, ctx));
    return QUEUED;
  }
  const aof = ctx.server.aof;
  const reply =
    aof !== undefined && (resolved.flags.includes('write') || resolved.flags.includes('may_replicate'))
      ? callWrite(aof, resolved, argv, ctx)
      : call(resolved, argv, ctx);
  // handleClientsBlockedOnKeys: clients blocked on keys this command (EXEC: its commands) wrote are served
  // now, before this client's next command and before anyone else's on this thread.
  // flushReady returns at once when no key was signalled (a field of this thread's, where anyBlocked() is an
  // Atomics.load of a shared word: ~17 ns a command on Node 20).
  ctx.server.blocking?.flushReady(ctx.store, ctx.server.aof);
  // A BGSAVE that EXEC ran takes its snapshot now, once EXEC has released its keys' locks.
  ctx.server.persistence?.runDeferred();
  return reply;
}

/**
 * The rest of execute() for a command read on the script's own thread from inside the script (the event loop or a
 * hybrid loop serving its clients from the script's hook past busy-reply-threshold, as Redis's processEventsWhileBlocked;
 * `state`: the busy word): BUSY unless allow-busy, else run at once, WATCH and UNWATCH too, as in Redis (on the
 * store as the script holds it). Clients blocked on keys the script wrote are served, and a
 * deferred snapshot taken, after the script's own command, not in the middle of the script. SHUTDOWN NOSAVE waits
 * for the script to unwind (shutdown.ts).
 */
function executeInsideScript(spec: CommandSpec, argv: Buffer[], ctx: CommandContext, state: number): Reply {
  if (!spec.flags.includes('allow_busy')) return reject(ctx, argv, busyError(state), spec);
  const postponed = postponedByPause(spec, argv, ctx);
  if (postponed !== null) return postponed;
  const client = ctx.client;
  if (client.transaction.queues(spec)) {
    client.transaction.queue(spec, argv, mayReplicate(spec, argv, ctx));
    return QUEUED;
  }
  // On the store the script holds (Scripting.heldStore): its locks are this thread's already.
  const held = ctx.server.scripting?.heldStore ?? null;
  const inside = held === null ? ctx : { store: held.select(ctx.store.db), client, server: ctx.server };
  return call(spec, argv, inside); // no allow-busy command writes: nothing for the append-only file
}

/**
 * POSTPONED when CLIENT PAUSE holds this command and its client can wait, else null. One shared load while no
 * pause is set; the rest is out of the command path.
 */
function postponedByPause(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply | null {
  const blocking = ctx.server.blocking;
  if (blocking === undefined || blocking.pause.type() === PAUSE_OFF) return null;
  return pausedFor(blocking, spec, argv, ctx) ? blocking.postpone(ctx.client) : null;
}

/**
 * Whether the pause in force holds this command: ALL holds every command, WRITE those that write or may
 * replicate (PUBLISH), and an EXEC whose queue has one (processCommand's is_may_replicate_command). A pause whose
 * end has passed holds nothing: it is cleared here, and clients it postponed run again.
 */
function pausedFor(blocking: BlockingHub, spec: CommandSpec, argv: Buffer[], ctx: CommandContext): boolean {
  const now = ctx.server.clock();
  if (!blocking.pause.pausedAt(now)) {
    blocking.checkPostponed(now);
    return false;
  }
  if (blocking.pause.type() === PAUSE_ALL) return true;
  if (mayReplicate(spec, argv, ctx)) return true;
  return spec.name === 'exec' && ctx.client.transaction.queuesMayReplicate;
}

/** processCommand's is_may_replicate_command for this line (a script's shebang decides EVAL's). */
function mayReplicate(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): boolean {
  if (spec.mayReplicate !== undefined) return spec.mayReplicate(argv, ctx);
  return spec.flags.includes('write') || spec.flags.includes('may_replicate');
}

/**
 * A write command with the append-only file's writer present: logged while appendonly is on (under its keys'
 * locks where other threads write the file too); while it is off, inside the writer's write fence, which a
 * turn-on waits for (src/core/aof/aof-log.ts).
 */
function callWrite(aof: AppendOnlyLog, spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  if (!aof.beginWrite()) {
    try {
      return callThenLog(spec, argv, ctx, false); // the file is off: record() would read its state again
    } finally {
      aof.endUnloggedWrite();
    }
  }
  return aof.needsKeyLocks ? callLocked(spec, argv, ctx) : call(spec, argv, ctx);
}

/**
 * With an append-only file, a write command runs holding its keys' locks (every segment's for one that names
 * none, as EXEC takes them) until its record is in the file: two threads' writes to one key reach the file in the
 * order they were applied (src/core/aof/aof-log.ts).
 */
function callLocked(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  return ctx.store.writeHolding(keysOfCommand(spec, argv), (locked) =>
    // One key: the command runs on this view itself (store.ts holdingOne), with the caller's context.
    locked === ctx.store
      ? call(spec, argv, ctx)
      : call(spec, argv, { store: locked.select(ctx.store.db), client: ctx.client, server: ctx.server }),
  );
}

/**
 * server.c rejectCommand: counted in the command's rejected_calls (an unknown one has none to count in), and
 * a refused EXEC ends the transaction, in or out of MULTI, with EXECABORT.
 */
/** processCommand's is_write_command: a write, or EXEC of a transaction that queued one. */
function isWriteCommand(spec: CommandSpec, client: ClientState): boolean {
  return spec.flags.includes('write') || (spec.name === 'exec' && client.transaction.queuesWrite);
}

function reject(ctx: CommandContext, argv: Buffer[], message: string, spec: CommandSpec | null): Reply {
  const counters = ctx.server.counters;
  const transaction = ctx.client.transaction;
  transaction.fail();
  if (counters !== undefined && spec !== null) counters.commandRejected(ctx.server.commands.slotOf(spec));
  let reply = message;
  if (argv[0].length === 4 && argv[0].toString('latin1').toLowerCase() === 'exec') {
    transaction.discard(ctx.store);
    // Redis's own messages for these refusals carry no code (its reply adds ERR); NOAUTH keeps its own.
    const reason = message.startsWith('ERR ') ? message.slice(4) : message;
    reply = `EXECABORT Transaction discarded because of: ${reason}`;
  }
  counters?.errorReplied(reply);
  return error(reply);
}

/**
 * Runs a resolved command (at once, or queued by MULTI and now run by EXEC), its failures as replies, and
 * counts it as server.c call() does: calls, the time of its run (EXEC's includes its commands', as Redis's
 * nested calls), and failed_calls when its reply is an error; an error nested in EXEC's reply was counted by
 * that command's own call. Two clock reads per command: bench/results/commandstats.md.
 */
export function call(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  return callThenLog(spec, argv, ctx, true);
}

/**
 * call(), and with `mayLog` a write that changed the data set is offered to the append-only file (logged if it is
 * on): server.c call() propagates a command only when server.dirty moved while it ran (dirty.ts), or when it forced
 * its propagation (FLUSHALL, FLUSHDB: logged even when there was nothing to flush).
 */
function callThenLog(spec: CommandSpec, argv: Buffer[], ctx: CommandContext, mayLog: boolean): Reply {
  const counters = ctx.server.counters;
  const changesBefore = counters?.changesHere ?? 0;
  const readKeys = beforeCommand(spec, argv, ctx);
  const reply = timedRun(spec, argv, ctx);
  // Client-side caching: the read's keys are remembered, the keys the command modified invalidated.
  afterCommand(spec, argv, ctx, readKeys);
  const aof = ctx.server.aof;
  if (mayLog && aof !== undefined && spec.flags.includes('write')) {
    // Without counters (test fakes) nothing tells: every write that succeeded is logged.
    const changed = counters === undefined ? reply.kind !== 'error' : counters.changesHere > changesBefore;
    if (changed || (reply.kind !== 'error' && ALWAYS_LOGGED.has(spec.name)))
      aof.record(spec.name, argv, reply, ctx.store.db);
  }
  // While some client is blocked (one shared read otherwise), a write's keys may serve it (execute() does).
  if (ctx.server.blocking?.anyBlocked() === true) signalWrittenKeys(spec, argv, ctx);
  // After it ran, as server.c call() feeds monitors: the line shows the database it left selected. While
  // nobody monitors, this read of one shared word is all MONITOR costs a command.
  if (ctx.server.pubsub?.monitoring() === true && !spec.flags.includes('skip_monitor'))
    feedMonitor(spec, argv, ctx);
  return reply;
}

function timedRun(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  const counters = ctx.server.counters;
  if (counters === undefined) return run(spec, argv, ctx);
  const start = performance.now();
  const reply = run(spec, argv, ctx);
  const microseconds = (performance.now() - start) * 1000;
  const failed = reply.kind === 'error';
  counters.commandCalled(ctx.server.commands.slotOf(spec), microseconds, failed);
  if (reply.kind === 'error' && reply.counted !== true) counters.errorReplied(reply.value);
  // The slow log and the latency monitor cost a command that is not slow this one comparison (the gate:
  // slowlog/shared-slowlog.ts).
  const slowlog = ctx.server.slowlog;
  if (slowlog !== undefined && microseconds >= slowlog.gate[0]) {
    const event = spec.flags.includes('fast') ? 'fast-command' : 'command';
    ctx.server.latency?.sampleIfNeeded(event, microseconds / 1000, Math.floor(ctx.server.clock() / 1000));
    slowCommandEnded(slowlog, spec, argv, ctx, microseconds);
  }
  return reply;
}

/** The command's own run: a CommandError is its error reply; anything else a bug, reported and answered. */
function run(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  try {
    return spec.run!(argv, ctx);
  } catch (e) {
    if (e instanceof CommandError) {
      countWrongTypeLookups(spec, e, ctx);
      return error(e.message);
    }
    ctx.server.reportUnexpected(e, spec.name);
    return error(`ERR internal error while running '${spec.name}'`);
  }
}
