// What a command is, and what it may see when it runs. A command parses its own arguments (the executor has
// already checked arity and auth) and returns a Reply; it never sees a socket, a thread or a transport.
// Command metadata follows Redis's command table (redis.io/commands/command): arity counts the command name,
// a negative arity means "at least", and flags/key positions are what COMMAND INFO reports.

import type { ExpireCycleStats, InstantaneousRates, TrafficTotals } from './shared-counters.js';
import type { BlockedTarget, BlockingHub } from './blocking/hub.js';
import type { ReplyModes } from './client-reply.js';
import type { Persistence } from './rdb/persistence.js';
import type { KeySpec } from './key-specs.js';
import type { PubSubHub } from './pubsub/hub.js';
import type { ClientTracking, TrackingHub } from './tracking/hub.js';
import type { ClientSubscriptions, PushTarget } from './pubsub/subscriber.js';
import type { Reply, RespVersion } from './reply.js';
import type { Clock, KeyValueStore } from './store/types.js';
import type { BlockedCall } from './slowlog/record.js';
import type { SharedSlowLog } from './slowlog/shared-slowlog.js';
import type { SharedLatencyMonitor } from './latency/latency-monitor.js';
import type { Transaction } from './transaction.js';
import type { Scripting } from './scripting/scripting.js';
import type { Functions } from './functions/functions.js';
import type { AclHub } from './acl/acl-hub.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'noscript'
  | 'loading'
  | 'stale'
  | 'fast'
  | 'no_auth'
  | 'allow_busy'
  | 'skip_slowlog'
  /** CMD_PUBSUB: a Pub/Sub command (its ACL category is @pubsub). */
  | 'pubsub'
  /** CMD_PROTECTED: refused unless enable-debug-command allows it (DEBUG). */
  | 'protected'
  /** CMD_BLOCKING: may block its client (BLPOP and kin; ACL category @blocking). */
  | 'blocking'
  /** CMD_MOVABLE_KEYS: the keys' positions depend on an argument (a numkeys count), not on `keys`. */
  | 'movablekeys'
  /** CMD_SKIP_MONITOR: not fed to MONITOR after it ran (EVAL feeds itself before its script's commands). */
  | 'skip_monitor'
  /** CMD_NO_MANDATORY_KEYS: its keys may be none (EVAL with numkeys 0); only COMMAND INFO shows it here. */
  | 'no_mandatory_keys'
  /** CMD_NO_MULTI: refused inside MULTI (SAVE). */
  | 'no_multi'
  /**
   * CMD_NO_ASYNC_LOADING: refused while a replica loads its master's data in the background (repl-diskless-load
   * swapdb); this server is never such a replica, so only COMMAND INFO shows it (SAVE, BGSAVE, BGREWRITEAOF).
   */
  | 'no_async_loading'
  /**
   * CMD_MAY_REPLICATE: a read that may change a value Redis then propagates (PFCOUNT caching its cardinality):
   * it runs on the write path, so what it logs reaches the append-only file under its keys' locks; CLIENT PAUSE
   * WRITE holds it as a write. Hidden from COMMAND INFO, as in Redis 7.0. (PUBLISH and EVAL, also may_replicate in
   * Redis, say so through `mayReplicate` instead: they log nothing and must not take the write path.)
   */
  | 'may_replicate';

export interface CommandSpec {
  /** Lower case. A subcommand is named "container|sub", e.g. "client|setname". */
  readonly name: string;
  /** The syntax line from the command's redis.io page. */
  readonly syntax: string;
  readonly summary: string;
  readonly group:
    | 'connection'
    | 'string'
    | 'bitmap'
    | 'generic'
    | 'server'
    | 'transactions'
    | 'pubsub'
    | 'list'
    | 'set'
    | 'sorted-set'
    | 'geo'
    | 'hash'
    | 'stream'
    | 'cluster'
    | 'scripting'
    | 'hyperloglog';
  readonly since: string;
  /** Counts the command name (and the subcommand name for subcommands). Negative: at least -arity. */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** Key positions for COMMAND INFO / GETKEYS: first, last (-1: last argument), step. 0,0,0: no keys. */
  readonly keys: readonly [first: number, last: number, step: number];
  /**
   * The arguments at `keys` are shard channels, not keys (Redis's key spec flag NOT_KEY, for cluster routing):
   * COMMAND INFO shows them, COMMAND GETKEYS does not, and they are no keys to lock.
   */
  readonly notKeys?: true;
  /**
   * Redis 7.0's key specs where the keys triple cannot say them (key-specs.ts): COMMAND INFO shows these, and
   * COMMAND GETKEYS and EXEC's locking find the keys through them.
   */
  readonly keySpecs?: readonly KeySpec[];
  /**
   * Where Redis's key spec says VARIABLE_FLAGS (SET, BITFIELD): the key's flags for this command line, as the
   * command's getkeys procedure gives them (db.c setGetKeys, bitfieldGetKeys), for COMMAND GETKEYSANDFLAGS.
   */
  readonly keyFlagsOf?: (argv: readonly Buffer[]) => readonly string[];
  /**
   * Redis's getkeys procedure where neither the triple nor a key spec can find the keys (SORT's STORE may come
   * anywhere: db.c sortGetKeys): each key's position in argv and the index of its key spec in Redis's reference.
   */
  readonly getKeys?: (argv: readonly Buffer[]) => readonly { position: number; spec: number }[];
  /**
   * The line reads keys it does not name (SORT's BY and GET patterns build them from the elements), or writes one
   * its key specs miss (GEORADIUS ... STORE a STORE b writes b): it then locks every segment where a write's or
   * EXEC's keys are locked (transaction.ts keysOfCommand).
   */
  readonly readsUnnamedKeys?: (argv: readonly Buffer[]) => boolean;
  /**
   * Runs a script whose commands name keys nobody declared (EVAL and kin): EXEC locks every segment for it, as
   * the script itself does when it runs alone (transaction.ts keysOf, scripting/script-run.ts).
   */
  readonly runsScript?: true;
  /**
   * Whether this line writes or may replicate (Redis's CMD_MAY_REPLICATE) where the flags cannot say it: PUBLISH
   * (which logs nothing, so it keeps off the write path 'may_replicate' takes), EVAL (server.c getCommandFlags: a
   * script's shebang flags replace the command's). What CLIENT PAUSE WRITE holds. Absent: the 'write' or
   * 'may_replicate' flag says it.
   */
  readonly mayReplicate?: (argv: readonly Buffer[], ctx: CommandContext) => boolean;
  /** A container (CLIENT, CONFIG, COMMAND) dispatches on argv[1] to these instead of running itself. */
  readonly subcommands?: readonly CommandSpec[];
  readonly run?: (argv: Buffer[], ctx: CommandContext) => Reply;
}

/** Per-connection state the commands may read and change. Owned by the session. */
export interface ClientState {
  readonly id: number;
  /** Remote and local address, "ip:port". */
  readonly addr: string;
  readonly laddr: string;
  /**
   * What the slow log shows for the client's address (networking.c getClientPeerId) where it is not `addr`: a
   * script's client has no connection, "?:0" there.
   */
  readonly peerId?: string;
  name: string;
  db: number;
  authenticated: boolean;
  /** The ACL user it is authenticated as (Redis's c->user): "default" until AUTH names another. */
  user: string;
  /** Which user of that name (acl/acl-hub.ts): another incarnation of the name is another user. */
  userIncarnation: number;
  /**
   * Its user allows every command, key and channel: the executor checks nothing else of ACL for it (the hot
   * path of the default user). Kept current by the thread's ACL hub whenever the users change.
   */
  aclUnrestricted: boolean;
  /** Its user was deleted or replaced: it is being disconnected, and runs nothing more. */
  aclRevoked?: boolean;
  /**
   * The RESP version this client is answered in (Redis's c->resp): 2 until HELLO 3, back to 2 on HELLO 2 or
   * RESET. Plaintext requests of a client that never sent RESP are answered in plaintext whatever it is.
   */
  resp: RespVersion;
  /** MULTI's queue and WATCH's keys. */
  readonly transaction: Transaction;
  /** Pub/Sub: its subscriptions, made at its first (P|S)SUBSCRIBE (pubsub/subscriber.ts); absent before. */
  pubsub?: ClientSubscriptions;
  /** MONITOR: it gets a line for every command any client runs, until RESET (commands/monitor.ts). */
  monitor?: boolean;
  /**
   * Blocked in BLPOP or its kin (CLIENT_BLOCKED): its session processes nothing more until the blocking hub
   * unblocks it (blocking/hub.ts). Absent: false.
   */
  blocked?: boolean;
  /** Where its pub/sub messages go (its session); absent for a client without one (commands run directly). */
  readonly pushTarget?: PushTarget;
  /** Where the reply of a blocking command goes once it is served (its session); absent: it never blocks. */
  readonly blockedTarget?: BlockedTarget;
  /** CLIENT REPLY OFF or SKIP's modes (client-reply.ts); absent: every reply is written. */
  replyModes?: ReplyModes;
  /**
   * The command that blocked it, when its call reached the slow log's gate: logged once it is served or CLIENT
   * UNBLOCK ends its wait (slowlog/record.ts); absent otherwise.
   */
  blockedCall?: BlockedCall;
  /** CLIENT NO-EVICT ON (CLIENT LIST flags=e): nothing is evicted here, so it is only shown. */
  noEvict?: boolean;
  /** CLIENT TRACKING's state (tracking/hub.ts); absent until its first CLIENT TRACKING ON. */
  tracking?: ClientTracking;
  /** Set by QUIT: the transport closes the connection once this reply is written. */
  closeAfterReply: boolean;
  /** Lower-case name of the last command run (CLIENT LIST "cmd="). */
  lastCommand: string;
  /**
   * Its own CLIENT LIST line's qbuf= (sdslen(c->querybuf)): the bytes of the read being processed, its requests
   * included, as Redis holds them until the read is processed. Set by its session; absent: the transport's figure.
   */
  queryBytes?: number;
  /** The request being run (its own line's argv-mem=, c->argv_len_sum); null between requests. */
  argv?: readonly Buffer[] | null;
  /** Clock times in ms. */
  readonly createdAt: number;
  lastInteraction: number;
}

/** A client as CLIENT LIST shows it: the fields its line is made from. */
export interface ClientInfo {
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
  readonly name: string;
  readonly db: number;
  readonly createdAt: number;
  readonly lastInteraction: number;
  readonly lastCommand: string;
  /** CLIENT LIST resp=; 2 where absent. */
  readonly resp?: RespVersion;
  /** Bytes waiting in the query buffer and the output buffer. */
  readonly queryBuffer: number;
  readonly outputBuffer: number;
  /** The socket's descriptor where the transport knows it (CLIENT LIST "fd="); -1 is shown otherwise. */
  readonly fd?: number;
  /** CLIENT LIST user=: its ACL user; "default" where absent. */
  readonly user?: string;
  /** In MONITOR mode (CLIENT LIST flags=O); false where absent. */
  readonly monitor?: boolean;
  /** Blocked in a blocking command (CLIENT LIST flags=b); false where absent. */
  readonly blocked?: boolean;
  /** CLIENT LIST multi=: commands in its transaction (flags=x); -1 where absent. */
  readonly multi?: number;
  /** CLIENT LIST argv-mem= (c->argv_len_sum): the bytes of the arguments of the request it runs; 0 where absent. */
  readonly argvBytes?: number;
  /** CLIENT LIST multi-mem= (mstate.argv_len_sums): what its queued commands hold; 0 where absent. */
  readonly multiBytes?: number;
  /** CLIENT NO-EVICT ON (flags=e); false where absent. */
  readonly noEvict?: boolean;
  /** A key it watches was written (flags=d): known for the caller's own line only; false where absent. */
  readonly dirtyCas?: boolean;
  /** Its Pub/Sub subscriptions (CLIENT LIST sub=, psub=, ssub=) and subscribed state (flags=P); none where absent. */
  readonly pubsub?: PubSubCounts;
  /** CLIENT TRACKING on (flags=t, B in BCAST mode, R when its redirect is gone; redir=); off where absent. */
  readonly tracking?: TrackingCounts;
}

/** A tracking client's state as CLIENT LIST shows it. */
export interface TrackingCounts {
  readonly bcast: boolean;
  readonly brokenRedirect: boolean;
  readonly redirect: number;
}

/** A client's subscriptions, counted, as CLIENT LIST shows them. */
export interface PubSubCounts {
  readonly channels: number;
  readonly patterns: number;
  readonly shardChannels: number;
  /** CLIENT_PUBSUB: in subscribed state (Redis's client type "pubsub"). */
  readonly active: boolean;
}

/** Figures only the transport knows; INFO shows them. Fields a transport lacks are left out. */
export interface TransportStats {
  readonly transport: 'eventloop' | 'pool' | 'hybrid';
  readonly connectedClients: number;
  readonly totalConnections: number;
  readonly rejectedConnections: number;
  /** Worker threads ready now (the pool, the hybrid's loops). */
  readonly workers?: number;
  /** The pool: worker threads spawned since start (they start on demand), and the most there may be. */
  readonly workersStarted?: number;
  readonly workersMax?: number;
  readonly busyWorkers?: number;
  readonly queuedClients?: number;
  readonly maxclients: number;
  /**
   * The pool and the hybrid: large query buffers their threads freed at once; the pool: malloc_trim calls after
   * outsized clients.
   */
  readonly buffersReleased?: number;
  readonly memoryTrims?: number;
}

/** How inline requests of a client that never sent RESP are answered: plaintext, or RESP as Redis does. */
export type InlineReplies = 'plain' | 'resp';

/** A setting CONFIG GET/SET can see. Validation lives with the setting. */
export interface ConfigRegistry {
  /** All [name, value] pairs whose name matches the glob pattern (case-insensitive), as CONFIG GET. */
  get(pattern: string): [string, string][];
  /** Throws CommandError with Redis's message on an unknown or read-only name or an invalid value. */
  set(name: string, value: string): void;
  /**
   * CONFIG SET with several pairs, all or nothing (Redis 7). Where absent, CONFIG SET calls set() per pair.
   * `protectedAllowed` false refuses the protected settings (dir, dbfilename) as enable-protected-configs does.
   */
  setMany?(pairs: readonly (readonly [string, string])[], protectedAllowed?: boolean): void;
}

/**
 * The append-only file as the executor sees it (src/core/aof/aof-log.ts): told of each write command that ran,
 * while the locks of its keys are held, and of keys removed without a command (expired, evicted).
 */
export interface AppendOnlyLog {
  /** Whether other threads write the file too, so a write must hold its keys' locks until it is logged. */
  readonly needsKeyLocks: boolean;
  /**
   * A write command starts: true while appendonly is on (it is logged); false while off, and the command then
   * runs inside this thread's write fence, left with endUnloggedWrite when it ends.
   */
  beginWrite(): boolean;
  endUnloggedWrite(): void;
  record(name: string, argv: readonly Uint8Array[], reply: Reply, db: number): void;
  recordDeletion(db: number, key: Uint8Array): void;
  /** A command as it is to be logged (a served blocking pop's LPOP), run on `db` under its keys' locks. */
  recordCommand(db: number, argv: readonly Uint8Array[]): void;
  /** The commands one command propagated (several: one MULTI ... EXEC block unless a transaction holds them). */
  recordCommands(db: number, commands: readonly (readonly Uint8Array[])[]): void;
  /** appendonly is on: a command that logs itself builds its records only then. */
  readonly logging: boolean;
  /** EXEC runs its commands: their records are held and written as one MULTI ... EXEC block at the end. */
  beginTransaction(): void;
  endTransaction(): void;
  /** The transaction's records are dropped unwritten (a script SHUTDOWN NOSAVE stopped half done). */
  discardTransaction(): void;
  /** A client's read was run, its replies not yet written: what must be in the file (and synced) is now. */
  endOfBatch(): void;
  /** This thread logged records that no endOfBatch has seen written yet: replies must wait for one. */
  readonly owes: boolean;
  /**
   * BGREWRITEAOF: a rewrite claimed for the main thread to run (started), or scheduled for when it may start
   * (`mustWait`: a BGSAVE runs, or EXEC runs it), or one is in progress already.
   */
  requestRewrite(mustWait: boolean): 'started' | 'scheduled' | 'in-progress';
  /** A rewrite is running: BGSAVE waits for it (Redis runs one child at a time). */
  readonly rewriting: boolean;
  /** BGSAVE SCHEDULE while a rewrite runs: the main thread starts the BGSAVE once it has ended. */
  scheduleBgsave(): void;
  /** INFO persistence's aof_ fields, in Redis 7.0's order. */
  infoFields(): [string, string | number][];
  /** Redis's aof_buf: bytes appended to the shared buffer that no thread has written to the file yet. */
  readonly bufferedBytes: number;
  /**
   * While the file is on and its last write (or background sync) failed, any thread's: the errno write commands
   * are refused with (MISCONF); 0 otherwise.
   */
  readonly writeDeniedErrno: number;
}

/** SHUTDOWN's options (server.h SHUTDOWN_NOSAVE, SHUTDOWN_SAVE, SHUTDOWN_NOW, SHUTDOWN_FORCE). */
export interface ShutdownFlags {
  /** NOSAVE: no RDB save, even with save points set. */
  readonly nosave: boolean;
  /** SAVE: an RDB save, even without save points. */
  readonly save: boolean;
  /** NOW: do not wait for lagging replicas (there are none here: accepted, changes nothing). */
  readonly now: boolean;
  /** FORCE: exit even when the final save (or the append-only file's sync) failed. */
  readonly force: boolean;
}

export interface ServerContext {
  readonly clock: Clock;
  /** This thread's writer of the append-only file (logging while appendonly is on). */
  readonly aof?: AppendOnlyLog;
  readonly config: ConfigRegistry;
  readonly version: string;
  /** Process start time, ms on the clock. */
  readonly startedAt: number;
  readonly tcpPort: number;
  /** INFO executable: the process's main script (a pool worker's own would be its bundle). */
  readonly executable: string;
  /** Every client connected to this server (on every thread, where the transport can tell). */
  clients(): ClientInfo[];
  /**
   * The clients' query and output buffers (INFO clients and memory): the recent peaks and total each transport's
   * cron sampled (client-buffer-peaks.ts), read without asking the threads that hold the clients.
   */
  clientBuffers(): ClientBuffers;
  /**
   * One client's entry, as clients() would list it (CLIENT INFO): without building the whole list, which in
   * the pool costs a round trip to the main thread for its queue.
   */
  client(id: number): ClientInfo | undefined;
  /** Close a client by id (CLIENT KILL ID); false if unknown. Optional: a transport may not support it. */
  killClient?(id: number): boolean;
  /**
   * MEMORY PURGE: give back to the system what the process freed (transport/memory-purge.ts). Absent (test
   * fakes): nothing to purge.
   */
  purgeMemory?(): void;
  transportStats(): TransportStats;
  /** The command table, for COMMAND. */
  readonly commands: CommandTable;
  /** The password clients must AUTH with, or '' for none. Read live so CONFIG SET requirepass applies. */
  requirePass(): string;
  /** The inline-replies setting, read live: 'resp' answers every inline request in RESP (session.ts). */
  inlineReplies(): InlineReplies;
  /** The enable-debug-command setting: who may run commands flagged 'protected' (DEBUG). */
  enableDebugCommand(): 'no' | 'yes' | 'local';
  /** The enable-protected-configs setting: who may CONFIG SET the protected settings (dir, dbfilename). */
  enableProtectedConfigs(): 'no' | 'yes' | 'local';
  /** A command threw something other than CommandError: log it once, with the command name. */
  reportUnexpected(error: unknown, command: string): void;
  /** INFO's server-wide counters (shared by every thread where the transport can). Optional for test fakes. */
  readonly counters?: ServerCounters;
  /** This thread's side of Pub/Sub (pubsub/hub.ts): subscriptions, PUBLISH, keyspace events. */
  readonly pubsub?: PubSubHub;
  /** The server's one slow log, shared by every thread (slowlog/shared-slowlog.ts). Optional for test fakes. */
  readonly slowlog?: SharedSlowLog;
  /** The server's one latency monitor, shared by every thread (latency/latency-monitor.ts). Optional for test fakes. */
  readonly latency?: SharedLatencyMonitor;
  /** This thread's side of client-side caching (tracking/hub.ts); absent in test fakes: nothing is tracked. */
  readonly tracking?: TrackingHub;
  /** This thread's side of blocking operations (blocking/hub.ts); absent: blocking commands never block. */
  readonly blocking?: BlockingHub;
  /** EVAL's interpreter on this thread and the script cache every thread shares; absent: no scripting. */
  readonly scripting?: Scripting;
  /** Functions on this thread, over the libraries every thread shares; absent: no functions. */
  readonly functions?: Functions;
  /** This thread's side of ACL users (acl/acl-hub.ts); absent (test fakes): everyone may run everything. */
  readonly acl?: AclHub;
  /** RDB snapshots (rdb/persistence.ts): SAVE, BGSAVE, LASTSAVE, INFO persistence. Absent in test fakes. */
  readonly persistence?: Persistence;
  /**
   * SHUTDOWN: the server's one shutdown routine (src/shutdown.ts), run on the main thread whichever thread asks.
   * False: it was refused (the final save failed without FORCE) and the server goes on; true: it is going down
   * (a CLI process has exited before this returns). Absent: the server cannot be shut down from a command.
   */
  shutdown?(flags: ShutdownFlags): boolean;
}

/** One command's INFO commandstats figures (server.c genRedisInfoStringCommandStats). */
export interface CommandSlotStats {
  readonly calls: number;
  /** Microseconds spent running it, fractions included. */
  readonly usec: number;
  readonly rejectedCalls: number;
  readonly failedCalls: number;
}

/**
 * Counters INFO stats, commandstats and errorstats report and CONFIG RESETSTAT resets, counted across every
 * thread of the server. Commands are named by their slot (CommandTable.slotOf), the same on every thread.
 */
export interface ServerCounters extends NetTraffic {
  /**
   * The executor's call() ran a command (server.c call(): calls, usec, and failed_calls when it replied an
   * error). Also inside EXEC, once per queued command, and for EXEC itself.
   */
  commandCalled(slot: number, microseconds: number, failed: boolean): void;
  /** Refused before running (arity, NOAUTH, DEBUG not enabled): server.c rejectCommand's rejected_calls. */
  commandRejected(slot: number): void;
  /**
   * An error reply was sent (networking.c afterErrorReply): total_error_replies, and errorstats by the reply's
   * code. Every error reply counts, an unknown command's and a protocol error's too.
   */
  errorReplied(message: string): void;
  /** By slot: the figures since the last RESETSTAT. */
  commandStats(): CommandSlotStats[];
  /** [code, count] of the errors replied since the last RESETSTAT, sorted by code as Redis lists them. */
  errorStats(): [string, number][];
  totalErrorReplies(): number;
  /** INFO total_commands_processed: every call counted in commandstats (server.c call()). */
  commandsProcessed(): number;
  /**
   * INFO keyspace_hits / keyspace_misses: one read lookup of a key, found or not. Commands call this where Redis 7
   * reads a key with lookupKeyRead* (db.c lookupKey counts those unless LOOKUP_NOSTATS; write lookups never
   * count). Of ours, in Redis 7.0.15 (each checked against redis-server with CONFIG RESETSTAT + INFO stats):
   * - counted, one per key: GET, MGET, GETRANGE, STRLEN, EXISTS, TYPE, TTL, PTTL, EXPIRETIME, PEXPIRETIME,
   *   GETSET, GETDEL, GETEX (even when its time argument is then refused), SET ... GET, COPY (the source only),
   *   OBJECT's subcommands;
   * - not counted: every other write (SET, SETNX, SETEX, PSETEX, MSET, MSETNX, APPEND, SETRANGE, INCR*, DECR*,
   *   DEL, UNLINK, RENAME*, EXPIRE*, PERSIST, FLUSH*), and RANDOMKEY, KEYS, SCAN, DBSIZE, which walk the table,
   *   and DEBUG OBJECT, which reads the dict directly;
   * - a command refused before its lookup (syntax error, bad integer) counts nothing;
   * - a key of another type is a hit (lookupKeyRead counts before checkType): the executor counts it, with the
   *   lookups a multi-key read made before it (wrong-type-lookups.ts), so commands count only what they found.
   */
  keyLookup(found: boolean): void;
  /**
   * server.dirty: a command made `changes` changes to the data set (dirty.ts markChanged, where Redis's commands add
   * to server.dirty: SADD the members it added, DEL the keys it deleted, SET 1, ...). CONFIG RESETSTAT leaves it.
   */
  dataChanged(changes: number): void;
  /** The changes this thread has counted so far: call() compares it before and after a command. */
  readonly changesHere: number;
  /** server.dirty: every thread's changes since the server started (the RDB's changes since the last save). */
  changesMade(): number;
  /** Several read lookups at once (MGET, EXISTS): one atomic add per kind rather than one per key. */
  keyLookups(hits: number, misses: number): void;
  keyspaceHits(): number;
  keyspaceMisses(): number;
  /** CONFIG RESETSTAT: totals counted elsewhere (transport, store) are shown relative to this baseline. */
  resetBaseline(totals: StatTotals): void;
  baseline(): StatTotals;
  /**
   * Not a counter: DEBUG SET-ACTIVE-EXPIRE's switch (server.active_expire_enabled), kept in the same shared
   * memory so the thread running the active expiry cycle sees it whichever thread ran the command.
   */
  activeExpireEnabled(): boolean;
  setActiveExpire(enabled: boolean): void;
  /** INFO stats: what the transports read and wrote, every thread's summed, since the last RESETSTAT. */
  traffic(): TrafficTotals;
  /** INFO stats instantaneous_*: the rates the main thread's sampler last published. */
  instantaneousRates(): InstantaneousRates;
  /** latency-tracking: whether commands' run times go to their histograms (every thread reads one shared word). */
  latencyTracking(): boolean;
  setLatencyTracking(enabled: boolean): void;
  /** INFO latencystats: by command slot, every thread's histogram added up; null where none was recorded. */
  latencyHistograms(): (Float64Array | null)[];
  /** The server cron ran the active expiry (see SharedServerCounters.expireCycleRan). */
  expireCycleRan(sampled: number, expired: number, capReached: boolean, milliseconds: number): void;
  expireCycleStats(): ExpireCycleStats;
  /** INFO master_replid: a random id drawn at start-up, the same on every thread. */
  replicationId(): string;
  /** The maxmemory check before a command left memory `over` the limit, or not (eviction exceeded time). */
  memoryChecked(over: boolean): void;
  evictionExceeded(): { total: number; current: number };
}

/** The clients' buffers, INFO's client_recent_max_* and mem_clients_normal. */
export interface ClientBuffers {
  /** The largest query and output buffer (INFO: over the last seconds, as Redis's clientsCron keeps them). */
  readonly maxQuery: number;
  readonly maxOutput: number;
  /** Every client's query and output buffers added up. */
  readonly total: number;
}

/** Where a transport counts what it moves to and from clients (INFO stats total_net_*, total_*_processed). */
export interface NetTraffic {
  /** One read(2) of a client's socket that returned `bytes` (0: end of input). */
  bytesRead(bytes: number): void;
  /** One write of replies to a client, `bytes` handed to the kernel. */
  bytesWritten(bytes: number): void;
}

export interface StatTotals {
  readonly connections: number;
  readonly rejectedConnections: number;
  readonly expiredKeys: number;
  readonly evictedKeys: number;
}

export interface CommandContext {
  readonly store: KeyValueStore;
  readonly client: ClientState;
  readonly server: ServerContext;
}

export interface CommandTable {
  /** By lower-case name. */
  lookup(name: string): CommandSpec | undefined;
  all(): readonly CommandSpec[];
  /**
   * Every command and subcommand, each container before its subcommands; a command's position here is its
   * slot in the shared counters (the same on every thread: each builds its table from the same list).
   */
  slots(): readonly CommandSpec[];
  /** The slot of a command of this table, -1 for one it does not hold. */
  slotOf(spec: CommandSpec): number;
}
