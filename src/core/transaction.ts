// One client's MULTI/EXEC/WATCH state and its rules (Redis 7.0's multi.c): the queue MULTI opens, the flag an
// error while queueing sets (EXEC then answers EXECABORT and applies nothing), and the keys WATCH follows. The
// executor queues through here and EXEC runs through here; what counts as a watched key's change is the
// store's (store/watch.ts). Knows the store's contract and command specs; nothing of sockets or threads.

import { commandKeys, hasKeyArguments } from './key-specs.js';
import type { CommandSpec } from './command.js';
import type { KeyValueStore, KeyWatch } from './store/types.js';

export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly argv: Buffer[];
  /** It writes or may replicate, as its line was when queued (mstate.cmd_flags): CLIENT PAUSE WRITE holds EXEC. */
  readonly mayReplicate?: boolean;
}

export interface WatchedKey {
  readonly key: Buffer;
  /** The database it was watched in (Redis watches key and db). */
  readonly db: number;
  readonly watch: KeyWatch;
}

/**
 * The commands that run at once inside MULTI instead of being queued (server.c processCommand): they are
 * what ends, nests or leaves a transaction.
 */
const RUN_INSIDE_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** sizeof(robj*): what Redis counts per queued argument besides its bytes. */
const POINTER_BYTES = 8;

/** c->argv_len_sum: the bytes of a request's arguments. */
export function argvBytes(argv: readonly Uint8Array[]): number {
  let total = 0;
  for (const arg of argv) total += arg.length;
  return total;
}

export class Transaction {
  /** Commands queued since MULTI; null outside a transaction. */
  private queued: QueuedCommand[] | null = null;
  private queuedBytes = 0;
  /** An error while queueing (CLIENT_DIRTY_EXEC): EXEC aborts with EXECABORT. */
  private failed = false;
  private watched: WatchedKey[] = [];
  private runningQueue = false;
  /** How many commands the EXEC now running runs (CLIENT LIST multi= while they run). */
  private runningCount = 0;

  get active(): boolean {
    return this.queued !== null;
  }

  /** CLIENT LIST multi=: the number of queued commands, -1 outside MULTI. */
  get queuedCount(): number {
    return this.queued === null ? -1 : this.queued.length;
  }

  /**
   * CLIENT LIST multi= (and flags=x when not -1): the commands queued, or being run by EXEC (Redis keeps its
   * queue and CLIENT_MULTI until they have all run); -1 outside a transaction.
   */
  get multiCount(): number {
    return this.runningQueue ? this.runningCount : this.queuedCount;
  }

  /** A watched key was written since WATCH (CLIENT_DIRTY_CAS: CLIENT LIST flags=d). */
  touched(store: KeyValueStore): boolean {
    return this.watched.some((w) => store.watchedKeyTouched(w.watch));
  }

  get watchedCount(): number {
    return this.watched.length;
  }

  /** Whether a queued command writes (server.c is_write_command: EXEC is refused MISCONF when one does). */
  get queuesWrite(): boolean {
    return this.queued?.some((command) => command.spec.flags.includes('write')) ?? false;
  }

  /** Whether a queued command may grow memory (server.c: EXEC is refused on OOM when one is denyoom). */
  get queuesDenyOom(): boolean {
    return this.queued?.some((command) => command.spec.flags.includes('denyoom')) ?? false;
  }

  /**
   * Whether a queued command writes or may replicate (processCommand's is_may_replicate_command for EXEC, from
   * mstate.cmd_flags): CLIENT PAUSE WRITE postpones such an EXEC.
   */
  get queuesMayReplicate(): boolean {
    return this.queued?.some((command) => command.mayReplicate === true) ?? false;
  }

  /** EXEC is running the queued commands (Redis's CLIENT_DENY_BLOCKING during EXEC: SSUBSCRIBE refuses). */
  get executing(): boolean {
    return this.runningQueue;
  }

  private running<R>(
    run: (commands: readonly QueuedCommand[], store: KeyValueStore) => R,
    commands: readonly QueuedCommand[],
    store: KeyValueStore,
  ): R {
    this.runningQueue = true;
    this.runningCount = commands.length;
    try {
      return run(commands, store);
    } finally {
      this.runningQueue = false;
    }
  }

  /** Whether `spec`, sent inside MULTI, is queued rather than run (false outside MULTI). */
  queues(spec: CommandSpec): boolean {
    return this.queued !== null && !RUN_INSIDE_MULTI.has(spec.name);
  }

  /** argv is copied: the parser's are views of the query buffer, reused once this read is done. */
  queue(spec: CommandSpec, argv: readonly Buffer[], mayReplicate = false): void {
    if (this.queued === null) return;
    this.queued.push({ spec, argv: argv.map((arg) => Buffer.from(arg)), mayReplicate });
    this.queuedBytes += argvBytes(argv) + POINTER_BYTES * argv.length;
  }

  /**
   * CLIENT LIST multi-mem= (multi.c queueMultiCommand's mstate.argv_len_sums): each queued command's argument
   * bytes and a pointer per argument; kept while EXEC runs them, as Redis frees them after.
   */
  get queuedArgvBytes(): number {
    return this.queuedBytes;
  }

  /** A command refused while queueing (unknown, wrong arity, NOAUTH, ...): flagTransaction. */
  fail(): void {
    if (this.queued !== null) this.failed = true;
  }

  begin(): void {
    this.queued = [];
    this.failed = false;
    this.queuedBytes = 0;
  }

  /** Leaves MULTI and forgets every watched key (discardTransaction). */
  discard(store: KeyValueStore): void {
    this.queued = null;
    this.failed = false;
    this.queuedBytes = 0;
    this.unwatchAll(store);
  }

  /** WATCH, in the database `store` shows: keys already watched in that database are watched once. */
  watch(store: KeyValueStore, keys: readonly Buffer[]): void {
    for (const key of keys) {
      if (this.watched.some((w) => w.db === store.db && w.key.equals(key))) continue;
      if (this.watched.length === 0) store.countWatcher(1); // before the first stamp is read (watch.ts)
      this.watched.push({ key: Buffer.from(key), db: store.db, watch: store.watchKey(key) });
    }
  }

  unwatchAll(store: KeyValueStore): void {
    if (this.watched.length === 0) return;
    for (const { watch } of this.watched) store.unwatchKey(watch);
    this.watched = [];
    store.countWatcher(-1);
  }

  /**
   * EXEC's decision and its commands, for a client in MULTI. 'aborted': an error while queueing; 'changed': a
   * watched key changed. Otherwise `run` gets the queued commands and the store to run them on (a view: each
   * command selects the database it runs in). The check and the run happen holding the locks of every key the
   * commands and the watches name (every segment when a command works on the whole keyspace or swaps
   * databases), so no other thread sees those keys between them or half-written. A key's locks are the same in
   * every database, so the databases the commands will have selected need not be known in advance.
   */
  exec<R>(
    store: KeyValueStore,
    run: (commands: readonly QueuedCommand[], store: KeyValueStore) => R,
  ): R | 'aborted' | 'changed' {
    const commands = this.queued ?? [];
    const failed = this.failed;
    const watched = this.watched;
    this.queued = null;
    this.failed = false;
    try {
      if (failed) {
        this.unwatchAll(store);
        return 'aborted';
      }
      const keys = keysOf(commands, watched);
      if (keys !== null && keys.length === 0) return this.running(run, commands, store);
      return store.transaction(keys, (locked) => {
        const changed = watched.some((w) => locked.select(w.db).watchedKeyChanged(w.key, w.watch));
        this.unwatchAll(locked); // "Unwatch ASAP": commands of this very transaction must not see their own touches
        return changed ? 'changed' : this.running(run, commands, locked);
      });
    } finally {
      this.queuedBytes = 0;
    }
  }
}

/**
 * The keys a transaction must lock: the watched ones and each command's keys (key-specs.ts commandKeys); null
 * (every segment) when a command reads or writes the keyspace without naming keys (KEYS, SCAN, DBSIZE,
 * FLUSHDB, FLUSHALL, SWAPDB, RANDOMKEY). Commands that touch no keys (SELECT among them) add nothing, nor does
 * one whose key count is invalid (it fails without touching any).
 */
export function keysOf(commands: readonly QueuedCommand[], watched: readonly WatchedKey[]): Buffer[] | null {
  const keys = watched.map((w) => w.key);
  for (const { spec, argv } of commands) {
    if (spec.name === 'debug') return null; // DEBUG OBJECT reads a key its key spec does not name
    if (spec.runsScript === true) return null; // a script's commands may name any key
    if (!spec.flags.includes('readonly') && !spec.flags.includes('write')) continue;
    const own = keysOfCommand(spec, argv);
    if (own === null) return null;
    for (const key of own) keys.push(key);
  }
  return keys;
}

/** The keys whose locks one data command takes (keysOf of that command alone): null for every segment. */
export function keysOfCommand(spec: CommandSpec, argv: readonly Buffer[]): Buffer[] | null {
  if (spec.name === 'debug' || !hasKeyArguments(spec)) return null;
  if (spec.readsUnnamedKeys?.(argv) === true) return null;
  return commandKeys(spec, argv) ?? [];
}
