// One thread's side of blocking operations (BLPOP and its kin): it blocks its clients (a record in the shared
// registry, the client's session told to stop processing), serves clients blocked on any thread once a write
// of this thread made their keys ready, and gives its own clients the replies other threads left for them.
//
// How a blocked client is served, as Redis's handleClientsBlockedOnKeys does it after every command: the thread
// that wrote the key runs the pop FOR the blocked client, in blocking order, under the registry lock, before
// its own client's next command; the reply, encoded in the blocked client's protocol, goes to the thread that
// serves that client through its Pub/Sub mailbox (whose eventfd wakes a loop) and its registry wake cell (which
// wakes a pool worker waiting in Atomics.wait). So a pusher's next LLEN already sees the list popped, and the
// first client to block on a key is the first served, whichever threads they are on.
// Timeouts are this thread's (its transport asks for the next deadline and calls expire); CLIENT UNBLOCK may
// come from any thread. Knows the registry, the pops and the Pub/Sub mailboxes; nothing of sockets.

import type { ClientState, AppendOnlyLog, ServerCounters } from '../command.js';
import type { PubSubHub } from '../pubsub/hub.js';
import type { TrackingHub } from '../tracking/hub.js';
import { error, NIL, NIL_ARRAY, type Reply, sequence, ZERO } from '../reply.js';
import { ByteWriter, encodeReply, type ReplyProtocol } from '../reply-encoding.js';
import { ClientPauseWords } from '../store/client-pause.js';
import type { KeyValueStore } from '../store/types.js';
import { PostponedClients, type PostponedTarget } from './postponed.js';
import type { BlockedRecord, BlockedRequest } from './record.js';
import type { BlockedRegistry } from './registry.js';
import { attemptPop, servedAsCommand, type Attempt, type PopOps } from './serve.js';

/** The session of a blocked client, as the hub needs it. */
export interface BlockedTarget extends PostponedTarget {
  /** The client was served, timed out or unblocked: its reply, as bytes in its protocol or a Reply to encode. */
  unblocked(reply: Buffer | Reply): void;
  /** The protocol its replies are written in now. */
  replyProtocol(): ReplyProtocol;
}

/**
 * What a blocking command returns once its client is blocked: no reply now (an empty sequence writes nothing);
 * the session sees client.blocked and stops processing its requests until the client is unblocked.
 */
export const BLOCKED: Reply = Object.freeze(sequence([]));

/** How a blocked client stopped waiting. */
export type BlockEnd = 'served' | 'timed-out' | 'left';

/**
 * What the executor returns for a command CLIENT PAUSE postponed: no reply, and the session leaves the request
 * unconsumed in its query buffer, to run from the start once the pause lets it (postponed.ts).
 */
export const POSTPONED: Reply = Object.freeze(sequence([]));

/** CLIENT UNBLOCK ... ERROR's reply. */
export const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

interface LocalWaiter {
  readonly client: ClientState;
  readonly target: BlockedTarget;
  /** Clock ms at which it times out; 0: never. */
  readonly deadline: number;
  /** What it is answered when it times out (replyToBlockedClientTimedOut): a null array, or WAIT's count. */
  readonly timeoutReply: Reply;
}

/** How often the timeouts that came while a script runs are looked at again (nextDeadline). */
const SCRIPT_RECHECK_MS = 10;

export interface BlockingHubOptions {
  readonly registry: BlockedRegistry;
  /** Mails replies to other threads (its mailboxes); absent in a thread-less test (everything is local). */
  readonly pubsub?: PubSubHub;
  /** This thread's endpoint; null for a thread that serves no clients (it may still push and serve others). */
  readonly endpoint: number | null;
  readonly ops: PopOps;
  readonly clock: () => number;
  /**
   * One of this thread's clients stops waiting: served (or unblocked by CLIENT UNBLOCK), timed out, or gone (it
   * left, or RESET). The slow log logs a served client's blocked command then (blocked.c updateStatsOnUnblock).
   */
  readonly blockEnded?: (client: ClientState, how: BlockEnd) => void;
  /** CLIENT PAUSE's shared words; absent: a pause of this hub's own (a test). */
  readonly pause?: ClientPauseWords;
  /** Client-side caching: a pop served to a blocked client invalidates the keys it changed. */
  readonly tracking?: TrackingHub;
  /** Where the pops it serves count their changes (server.dirty); absent: not counted. */
  readonly counters?: ServerCounters;
}

interface ReadyKey {
  readonly db: number;
  /** null: every key some client waits on in `db` (its contents were swapped in whole). */
  readonly key: Buffer | null;
}

export class BlockingHub {
  private readonly registry: BlockedRegistry;
  private readonly waiters = new Map<number, LocalWaiter>();
  private readonly ready: ReadyKey[] = [];
  /** Replies for this thread's own clients, served while the registry lock was held: given after it is released. */
  private readonly localReplies: { clientId: number; reply: Buffer | Reply }[] = [];
  /** Replies to other threads are encoded here, never in a session's writer. */
  private readonly writer = new ByteWriter(1024);
  private deadlinesChanged: (() => void) | null = null;
  /** CLIENT PAUSE as every thread sees it (the executor reads its type before each command). */
  readonly pause: ClientPauseWords;
  private readonly postponed: PostponedClients;

  /**
   * Whether a script runs now, on any thread (set by the thread's core once scripting exists): the blocked clients'
   * timeouts wait for its end, as Redis's do (its one thread runs the script, and processEventsWhileBlocked does
   * not time blocked clients out).
   */
  scriptRunning: () => boolean = () => false;

  constructor(private readonly options: BlockingHubOptions) {
    this.registry = options.registry;
    this.pause = options.pause ?? ClientPauseWords.local();
    options.pubsub?.setBlockedReplyHandler((clientId, reply) => this.delivered(clientId, reply));
    this.postponed = new PostponedClients({
      pause: this.pause,
      registry: options.registry,
      ...(options.pubsub === undefined ? {} : { pubsub: options.pubsub }),
      endpoint: options.endpoint,
      clock: options.clock,
      deadlinesChanged: () => this.deadlinesChanged?.(),
    });
  }

  /** Some client on some thread is blocked (one shared read): only then do writes look for ready keys. */
  anyBlocked(): boolean {
    return this.registry.intents() !== 0;
  }

  /** INFO blocked_clients: on every thread. */
  blockedClients(): number {
    return this.registry.blockedClients();
  }

  /** INFO clients_in_timeout_table: blocked clients with a timeout, on every thread. */
  timedClients(): number {
    return this.registry.timedClients();
  }

  /**
   * `listener` hears whenever the earliest deadline may have changed: a transport whose loop does not ask
   * nextDeadline() before each wait (the event loop) arms a timer from it.
   */
  onDeadlinesChanged(listener: () => void): void {
    this.deadlinesChanged = listener;
  }

  // ---- Blocking a client ----

  /**
   * BLPOP and its kin: the pop at once if one of the keys has something (or WRONGTYPE for the first key of
   * another type, in key order), else the client blocks until `timeoutMs` (0: forever) and BLOCKED is returned.
   * Inside MULTI (or a client that may not block) nothing blocks: `nonBlockingReply` is the answer.
   */
  block(
    store: KeyValueStore,
    client: ClientState,
    target: BlockedTarget | undefined,
    request: BlockedRequest,
    timeoutMs: number,
    nonBlockingReply: Reply,
    aof?: AppendOnlyLog,
  ): Reply {
    const first = this.tryKeys(store, request, aof);
    if (first !== null) return first;
    if (client.transaction.active || client.transaction.executing || target === undefined)
      return nonBlockingReply;
    if (this.options.endpoint === null) return nonBlockingReply;
    const registry = this.registry;
    registry.announce();
    let blocked = false;
    registry.lock();
    try {
      // Again under the lock, with the intent counted: a push that completed before this look is seen by it,
      // one that completes after sees the count and serves the record made here.
      const second = this.tryKeys(store, request, aof);
      if (second !== null) return second;
      registry.add({
        ...request,
        clientId: client.id,
        endpoint: this.options.endpoint,
        protocol: target.replyProtocol(),
        timed: timeoutMs !== 0,
      });
      blocked = true;
    } finally {
      if (!blocked) registry.withdraw();
      registry.unlock();
    }
    this.waitLocally(client, target, timeoutMs, NIL_ARRAY);
    return BLOCKED;
  }

  /**
   * WAIT numreplicas timeout with numreplicas > 0 (replication.c waitCommand): no replica will ever acknowledge
   * here, so the client blocks (BLOCKED_WAIT) until its timeout, 0 meaning forever, or CLIENT UNBLOCK, and is
   * then answered the replicas that acknowledged: 0. A record with no keys: no write ever serves it, yet INFO's
   * blocked_clients and CLIENT UNBLOCK from any thread see it as Redis's do. Inside MULTI (or a client that may
   * not block) the answer is 0 at once, as Redis's for a client with CLIENT_MULTI.
   */
  blockForReplicas(client: ClientState, target: BlockedTarget | undefined, timeoutMs: number): Reply {
    if (client.transaction.active || client.transaction.executing || target === undefined) return ZERO;
    if (this.options.endpoint === null) return ZERO;
    const registry = this.registry;
    registry.announce();
    registry.locked(() =>
      registry.add({
        kind: 'wait',
        db: client.db,
        keys: [],
        fromHead: true,
        toHead: true,
        count: 0,
        destination: null,
        clientId: client.id,
        endpoint: this.options.endpoint as number,
        protocol: target.replyProtocol(),
        timed: timeoutMs !== 0,
      }),
    );
    this.waitLocally(client, target, timeoutMs, ZERO);
    return BLOCKED;
  }

  private waitLocally(
    client: ClientState,
    target: BlockedTarget,
    timeoutMs: number,
    timeoutReply: Reply,
  ): void {
    client.blocked = true;
    this.waiters.set(client.id, {
      client,
      target,
      deadline: timeoutMs === 0 ? 0 : this.options.clock() + timeoutMs,
      timeoutReply,
    });
    if (timeoutMs !== 0) this.deadlinesChanged?.();
  }

  /**
   * The pop on each key in order: the first reply, WRONGTYPE for a key of another type, or null (all empty). A
   * pop is logged to the append-only file as the pop it did, here where its key is known (the client's command
   * runs holding its keys' locks, so the record is in its place).
   */
  private tryKeys(store: KeyValueStore, request: BlockedRequest, aof?: AppendOnlyLog): Reply | null {
    for (const key of request.keys) {
      const attempt = attemptPop(this.options.ops, store, request, key, this.options.pubsub);
      if (attempt.outcome === 'mismatch')
        return error('WRONGTYPE Operation against a key holding the wrong kind of value');
      if (attempt.outcome === 'empty') continue;
      if (aof !== undefined && attempt.reply.kind !== 'error' && request.kind !== 'xread') {
        logServed(aof, store.db, request, key, attempt);
      }
      // Run at once, BLPOP, BRPOP and BLMOVE count their pop as LPOP and LMOVE do (blockingPopGenericCommand).
      const once = request.kind === 'pop' || request.kind === 'move';
      const changes = once && attempt.reply.kind !== 'error' ? 1 : attempt.changes;
      if (changes > 0) this.options.counters?.dataChanged(changes);
      // BLMOVE's destination, if written, is made ready by the executor as every write command's keys are.
      return attempt.reply;
    }
    return null;
  }

  // ---- Serving: after a write, the keys it touched may serve blocked clients ----

  /** A write command touched `key` of `db` (signalKeyAsReady): call only when anyBlocked(). */
  keyWritten(db: number, key: Buffer): void {
    this.ready.push({ db, key });
  }

  /**
   * SWAPDB brought another database's contents into `db` (db.c dbSwapDatabases -> scanDatabaseForReadyKeys):
   * every key clients wait on there may be ready. Call only when anyBlocked(); the keys are looked up when the
   * ready keys are served, under the registry lock, which may not be taken here (a command may hold store locks).
   */
  databaseReplaced(db: number): void {
    this.ready.push({ db, key: null });
  }

  /**
   * After the command (handleClientsBlockedOnKeys): serves, in blocking order, the clients blocked on the keys
   * written, for as long as each key has something; BLMOVE's pushes make their destinations ready in turn.
   * `store`: any view of the store.
   */
  flushReady(store: KeyValueStore, aof?: AppendOnlyLog): void {
    if (this.ready.length === 0) return;
    if (!this.anyBlocked()) {
      this.ready.length = 0;
      return;
    }
    const registry = this.registry;
    registry.lock();
    try {
      for (let next = this.ready.shift(); next !== undefined; next = this.ready.shift()) {
        if (next.key !== null) this.serveKey(store.select(next.db), next.key, aof);
        else for (const key of registry.keysWaitedOn(next.db)) this.ready.push({ db: next.db, key });
      }
    } finally {
      registry.unlock();
    }
    this.giveLocalReplies();
  }

  private serveKey(store: KeyValueStore, key: Buffer, aof: AppendOnlyLog | undefined): void {
    const waiting = this.registry.waitingOn(store.db, key);
    for (const record of waiting) {
      // XREAD reads: nothing to log, and a client it cannot serve (its ID is past the new entries) leaves the
      // key as it was for the clients after it.
      const reads = record.kind === 'xread';
      const attempt =
        aof === undefined || reads
          ? this.attempt(store, record, key)
          : this.attemptLogged(store, record, key, aof);
      // XREADGROUP: a client its entries do not serve waits on, like XREAD's.
      if (attempt.outcome === 'mismatch') continue; // a BZPOPMIN client on a key that is now a list waits on
      if (attempt.outcome === 'empty') {
        if (reads || record.kind === 'xreadgroup') continue;
        return;
      }
      this.registry.remove(record.clientId);
      this.registry.withdraw();
      if (attempt.pushed !== null) this.ready.push({ db: store.db, key: attempt.pushed });
      this.send(record, attempt.reply);
    }
  }

  private attempt(store: KeyValueStore, record: BlockedRecord, key: Buffer): Attempt {
    const attempt = attemptPop(this.options.ops, store, record, key, this.options.pubsub);
    if (attempt.outcome === 'served' && attempt.changes > 0)
      this.options.counters?.dataChanged(attempt.changes);
    // Served outside any command's call(): its keys are invalidated here (the command's own are by the executor).
    if (attempt.outcome === 'served' && attempt.reply.kind !== 'error')
      this.options.tracking?.modified(attempt.pushed === null ? [key] : [key, attempt.pushed], null);
    return attempt;
  }

  /**
   * With an append-only file: the pop and its record under the locks of the keys it touches, so it is in the
   * file in its place among other threads' writes to them (src/core/aof/aof-log.ts).
   */
  private attemptLogged(
    store: KeyValueStore,
    record: BlockedRecord,
    key: Buffer,
    aof: AppendOnlyLog,
  ): Attempt {
    const keys = record.destination === null ? [key] : [key, record.destination];
    return store.transaction(keys, (locked) => {
      const attempt = this.attempt(locked.select(store.db), record, key);
      if (attempt.outcome === 'served' && attempt.reply.kind !== 'error') {
        logServed(aof, store.db, record, key, attempt);
      }
      return attempt;
    });
  }

  /** The reply to a blocked client (lock held): mailed to its thread, or kept for after the lock if ours. */
  private send(record: BlockedRecord, reply: Reply): void {
    if (record.endpoint === this.options.endpoint || this.options.pubsub === undefined) {
      this.localReplies.push({ clientId: record.clientId, reply });
      return;
    }
    encodeReply(reply, record.protocol, this.writer);
    const bytes = this.writer.take();
    this.options.pubsub.mailBlockedReply(record.endpoint, record.clientId, bytes);
    this.registry.wake(record.endpoint);
  }

  private giveLocalReplies(): void {
    for (let next = this.localReplies.shift(); next !== undefined; next = this.localReplies.shift()) {
      this.delivered(next.clientId, next.reply);
    }
  }

  /** A reply for one of this thread's clients (served here, mailed by another thread, or its timeout's). */
  private delivered(clientId: number, reply: Buffer | Reply, timedOut = false): void {
    const waiter = this.waiters.get(clientId);
    if (waiter === undefined) return; // it left meanwhile: as in Redis, a reply to a closed client is lost
    this.waiters.delete(clientId);
    waiter.client.blocked = false;
    if (waiter.deadline !== 0) this.deadlinesChanged?.();
    this.options.blockEnded?.(waiter.client, timedOut ? 'timed-out' : 'served');
    waiter.target.unblocked(reply);
  }

  // ---- CLIENT PAUSE: clients postponed until the pause lets their command run (postponed.ts) ----

  /**
   * processCommand's blockClient(c, BLOCKED_POSTPONE): POSTPONED, or null where the client cannot wait (no
   * session to resume, or a thread that serves no clients): its command then runs.
   */
  postpone(client: ClientState): Reply | null {
    const target = client.blockedTarget;
    if (target === undefined || this.options.endpoint === null) return null;
    this.postponed.postpone(client, target);
    return POSTPONED;
  }

  /** The pause may be over (its end passed): it is cleared, and the clients it postponed run again. */
  checkPostponed(now: number): void {
    if (this.pause.expire(now)) this.postponed.pauseChanged(true);
  }

  /** CLIENT PAUSE or UNPAUSE (`lifted`: a pause was in force and is gone) ran on this thread. */
  pauseChanged(lifted: boolean): void {
    this.postponed.pauseChanged(lifted);
  }

  // ---- Ending a block without a push: timeout, CLIENT UNBLOCK, the client leaving ----

  /**
   * The earliest deadline of this thread's blocked clients (clock ms), Infinity when none has a timeout; the
   * pause's end too while some client waits for it.
   */
  nextDeadline(): number {
    const next = this.postponed.nextDeadline();
    let waiting = Infinity;
    for (const waiter of this.waiters.values()) {
      if (waiter.deadline !== 0 && waiter.deadline < waiting) waiting = waiter.deadline;
    }
    // While a script runs, a timeout that has come is looked at again a little later, not in a spin (expire).
    if (waiting !== Infinity && this.scriptRunning())
      waiting = Math.max(waiting, this.options.clock() + SCRIPT_RECHECK_MS);
    return Math.min(next, waiting);
  }

  /** Times out this thread's clients whose deadline has passed: each gets its timeout reply. Runs postponed ones. */
  expire(now: number): void {
    this.postponed.check(now);
    if (this.scriptRunning()) return; // the timeouts fire once it has ended (scriptRunning)
    for (const [clientId, waiter] of [...this.waiters]) {
      if (waiter.deadline === 0 || waiter.deadline > now) continue;
      if (this.takeRecord(clientId) !== null) this.delivered(clientId, waiter.timeoutReply, true);
      else this.options.pubsub?.drain(); // served just now by another thread: its reply is in our mailbox
    }
  }

  /**
   * CLIENT UNBLOCK, from any thread: the client gets the timeout reply, or with `asError` the -UNBLOCKED
   * error. False when it is not blocked.
   */
  unblock(clientId: number, asError: boolean): boolean {
    const record = this.takeRecord(clientId);
    if (record === null) return false;
    const reply = asError ? error(UNBLOCKED_ERROR) : record.kind === 'wait' ? ZERO : NIL_ARRAY;
    this.registry.lock();
    try {
      this.send(record, reply);
    } finally {
      this.registry.unlock();
    }
    this.giveLocalReplies();
    return true;
  }

  /** The client is gone (or RESET): it stops waiting, with no reply. */
  removeClient(client: ClientState): void {
    this.postponed.remove(client);
    const waiter = this.waiters.get(client.id);
    if (waiter === undefined) return;
    this.waiters.delete(client.id);
    client.blocked = false;
    this.takeRecord(client.id);
    if (waiter.deadline !== 0) this.deadlinesChanged?.();
    this.options.blockEnded?.(client, 'left');
  }

  private takeRecord(clientId: number): BlockedRecord | null {
    const record = this.registry.locked(() => this.registry.remove(clientId));
    if (record !== null) this.registry.withdraw();
    return record;
  }
}

/** The reply of a blocking command that may not block (inside MULTI) and found nothing: BLMOVE's is a nil. */
export function nonBlockingNil(moves: boolean): Reply {
  return moves ? NIL : NIL_ARRAY;
}

/** A served client's record: what its attempt propagated when it says (XREADGROUP's XCLAIMs), else the pop it did. */
function logServed(
  aof: AppendOnlyLog,
  db: number,
  request: BlockedRequest,
  key: Buffer,
  attempt: Extract<Attempt, { outcome: 'served' }>,
): void {
  if (attempt.logged !== undefined) aof.recordCommands(db, attempt.logged);
  else aof.recordCommand(db, servedAsCommand(request, key, attempt.reply));
}
