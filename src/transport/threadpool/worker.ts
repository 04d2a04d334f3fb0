// The pool's worker thread (entry point; runs as compiled JavaScript from dist/). It waits in its event loop
// for a job, then serves that one client with blocking reads and writes until it leaves, closes the
// descriptor and asks for the next. While serving it never returns to its event loop, so messages from the
// main thread (relayed CONFIG SET) are drained synchronously after each read; CLIENT LIST asks the main
// thread for its queue and waits (queued-query.ts). Knows nothing of accepting.

import { closeSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { clientInfo } from '../../core/client-info.js';
import type { ClientInfo, ClientState, PubSubCounts } from '../../core/command.js';
import { AofFiles } from '../../core/aof/aof-files.js';
import { ClientBufferPeaks } from '../../core/client-buffer-peaks.js';
import { Config } from '../../core/config.js';
import { relayConfigChange } from '../../core/config-relay.js';
import { PubSubState } from '../../core/pubsub/shared-state.js';
import { Session } from '../../core/session.js';
import { askMainThreadToShutDown } from '../../core/shutdown-request.js';
import { SharedStore } from '../../core/store/store.js';
import { bindStoreLimits } from '../../core/store-limits.js';
import { asReactor, type NativeReactor } from '../hybrid/native-reactor.js';
import {
  READ_BUFFER_BYTES,
  drainUntilClosed,
  serveClient,
  type ClientLoopHooks,
  type EndReason,
} from './client-loop.js';
import { garbageCollector } from './collect-garbage.js';
import { memoryPurge } from '../memory-purge.js';
import { BUFFERS_RELEASED, MEMORY_TRIMS, NO_FD, TCP_PORT } from './layout.js';
import { MemoryGiveBack } from './memory-give-back.js';
import type { FromWorker, Job, ToWorker, WorkerInit } from './messages.js';
import { type NativeFdUtil, asMemory, loadNativeFrom } from './native-addon.js';
import { allClients, poolStats, servedClients } from './pool-view.js';
import { QueuedClientsQuery } from './queued-query.js';
import { PoolState } from './shared-state.js';
import { serveSubscribed } from './subscriber-loop.js';
import { type ThreadCore, createThreadCore } from '../../core/thread-core.js';

type StoreHandles = ReturnType<SharedStore['handles']>;

if (parentPort === null) throw new Error('worker.ts is a worker_threads entry point, not a module to import');
const port = parentPort;
const init = workerData as WorkerInit;
const state = PoolState.attach(init.poolBuffer, init.slots);
const config = new Config(init.config);
const store = SharedStore.attach(init.storeHandles as StoreHandles, Date.now);
// Keys this thread finds expired become `expired` keyspace events (its sessions exist only after workerCore()).
store.onExpired((db, key) => core?.expired(db, key));
// The main thread set the store's limits; this worker may start long after a CONFIG SET changed them.
bindStoreLimits(store, config, { initial: false });
const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
const addon: NativeFdUtil | Error =
  init.nativeRoot === null ? new Error('no native helper') : loadNativeFrom(init.nativeRoot);
const reactor: NativeReactor | null = addon instanceof Error ? null : nullIfError(asReactor(addon));

const memoryCalls = addon instanceof Error ? null : asMemory(addon);
const bufferPeaks = ClientBufferPeaks.attach(init.bufferPeaksBuffer);
const collectGarbage = memoryCalls === null ? null : garbageCollector();
const memory = new MemoryGiveBack({
  native: memoryCalls,
  collectGarbage,
  onReleased: () => state.add(BUFFERS_RELEASED, 1),
  onTrimmed: () => state.add(MEMORY_TRIMS, 1),
});

function nullIfError<T>(value: T | Error): T | null {
  return value instanceof Error ? null : value;
}

/**
 * Pub/Sub: this worker is endpoint `slot`. Its eventfd, published in the shared state, is how a publisher on
 * another thread wakes it while its client is subscribed (subscriber-loop.ts); the main thread closes it once
 * this thread has exited. Without the reactor (not Linux) a subscriber gets its messages only with its next reply.
 */
const pubsubState = init.pubsubHandles === null ? null : PubSubState.attach(init.pubsubHandles);
const wakeFd = pubsubState !== null && reactor !== null ? reactor.eventfdCreate() : -1;
if (pubsubState !== null && wakeFd >= 0) pubsubState.setWakeFd(init.slot, wakeFd);

function post(message: FromWorker): void {
  port.postMessage(message);
}

const queuedQuery = new QueuedClientsQuery(state, init.slot, (message, transfer) =>
  port.postMessage(message, transfer),
);

function describe(error: unknown): { message: string; stack?: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return {
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(code ? { code } : {}),
  };
}

// A change made here (CONFIG SET on this worker's client) goes to the main thread, which relays it to the
// other workers before CONFIG SET replies (each drains its port before it runs its client's next read); a
// relayed change is applied with apply(), which calls no listener, so nothing echoes.
config.onChange((name, value) => void relayConfigChange(post, name, value));

interface Current {
  readonly job: Job;
  readonly session: Session;
  published: string;
}
let current: Current | null = null;
let core: ThreadCore | null = null;

/** Built at the first job: the bound port is known only after every worker is ready and the server listens. */
function workerCore(): ThreadCore {
  core ??= createThreadCore({
    store,
    config,
    version: init.version,
    startedAt: init.startedAt,
    executable: init.executable,
    tcpPort: state.counter(TCP_PORT),
    counters: init.countersBuffer,
    ...(init.scriptsBuffer === null ? {} : { scripts: init.scriptsBuffer }),
    ...(init.librariesBuffer === null ? {} : { libraries: init.librariesBuffer }),
    ...(init.aclHandles === null ? {} : { acl: init.aclHandles }),
    nativeRoot: init.nativeRoot,
    scriptLog: (level, message) => post({ type: 'log', level, msg: message }),
    diagnostics: init.diagnosticsHandles,
    aofFiles: AofFiles.of(config, init.aofWorkDir),
    aofFaults: init.aofFaults,
    aofReport: (level, message) => post({ type: 'log', level, msg: message }),
    exit: (reason) => post({ type: 'exit', reason }),
    ...(pubsubState === null
      ? {}
      : {
          pubsub: {
            state: pubsubState,
            endpoint: init.slot,
            ...(reactor === null ? {} : { signal: (fd: number) => void reactor.eventfdSignal(fd) }),
          },
        }),
    clients: listClients,
    // Sampled by the main thread's sweep (client-buffer-peaks.ts): INFO asks nobody.
    clientBuffers: () => bufferPeaks.read(),
    // The caller of CLIENT INFO is served, by this worker: its slot has it, no need to ask for the queue.
    client: (id) => servedClients(state).find((c) => c.id === id),
    transportStats: () => poolStats(state, config.number('maxclients')),
    killClient,
    // Without the helper's calls this worker has no collector yet: the purge asks V8 for one.
    purgeMemory: memoryPurge(memoryCalls, collectGarbage ?? undefined),
    shutdown: (flags) => askMainThreadToShutDown((request) => port.postMessage(request), flags),
    reportUnexpected: (error, command) =>
      post({
        type: 'log',
        level: 'error',
        msg: 'unexpected error in a command',
        command,
        error: describe(error),
      }),
  });
  return core;
}

/** The queued clients of the last listing: CLIENT KILL matches against the list it just fetched. */
let lastQueued = new Set<number>();

/**
 * Every client: the queue first, then the slots, so a client moving from one to the other meanwhile is seen
 * at least once (allClients lists it once). If the main thread does not answer in time, the served clients
 * only: a partial list rather than a command that hangs.
 */
function listClients(): ClientInfo[] {
  const queued = queuedQuery.fetch() ?? [];
  lastQueued = new Set(queued.map((c) => c.id));
  return allClients(servedClients(state), queued);
}

/**
 * CLIENT KILL: our own client closes after this reply; another worker's is shut down, and a queued one closed,
 * by the main thread (which finds it wherever it is by then). The count is of clients this worker saw
 * connected: one that leaves before the main thread acts was counted (no answer comes back), as a client
 * that disconnects as Redis replies would be.
 */
function killClient(id: number): boolean {
  if (current !== null && current.job.clientId === id) {
    current.session.client.closeAfterReply = true;
    return true;
  }
  let known = lastQueued.delete(id);
  for (let slot = 0; slot < state.slots && !known; slot++) known = state.clientId(slot) === id;
  if (known) post({ type: 'kill', clientId: id });
  return known;
}

function publish(entry: Current): void {
  const client = entry.session.client;
  const record = {
    addr: entry.job.addr,
    laddr: entry.job.laddr,
    name: client.name,
    cmd: client.lastCommand,
    qbuf: entry.session.queryBufferLength,
    resp: client.resp,
    db: client.db,
    ...(client.user === 'default' ? {} : { user: client.user }),
    ...pubsubCounts(client),
    ...(client.monitor === true ? { monitor: true as const } : {}),
    ...(client.blocked === true ? { blocked: true as const } : {}),
    ...(client.tracking?.on === true
      ? {
          tracking: {
            bcast: client.tracking.bcast,
            brokenRedirect: client.tracking.brokenRedirect,
            redirect: client.tracking.redirect,
          },
        }
      : {}),
  };
  const subs = record.pubsub;
  const tracked = record.tracking;
  const key =
    `${record.name}\0${record.cmd}\0${record.qbuf}\0${record.resp}\0${record.db}\0${record.user ?? ''}` +
    (subs === undefined
      ? ''
      : `\0${subs.channels}\0${subs.patterns}\0${subs.shardChannels}\0${subs.active}`) +
    (record.monitor === true ? '\0monitor' : '') +
    (record.blocked === true ? '\0blocked' : '') +
    (tracked === undefined ? '' : `\0t${tracked.bcast}${tracked.brokenRedirect}${tracked.redirect}`);
  if (key === entry.published) return;
  entry.published = key;
  state.publish(init.slot, record);
}

/** The record's Pub/Sub part, as clientInfo() has it (CLIENT LIST of this client, read by other threads). */
function pubsubCounts(client: ClientState): { pubsub?: PubSubCounts } {
  const info = clientInfo(client, { queryBuffer: 0, outputBuffer: 0 });
  return info.pubsub === undefined ? {} : { pubsub: info.pubsub };
}

function drainMessages(): void {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    handle(m.message as ToWorker);
  }
}

function serve(job: Job): void {
  const sessionCore = { ...workerCore().sessionCore(), releaseBuffer: (b: Buffer) => memory.release(b) };
  const session = new Session(sessionCore, {
    id: job.clientId,
    addr: job.addr,
    laddr: job.laddr,
  });
  const entry: Current = { job, session, published: '' };
  current = entry;
  publish(entry);
  try {
    const hooks = {
      beforeBatch: () => {
        drainMessages();
        state.touch(init.slot, Date.now());
      },
      afterBatch: () => publish(entry),
      leaveWhenSubscribed: () => wakeFd >= 0,
      queryBufferLimit: () => config.number('client-query-buffer-limit'),
      whileBlocked: () => waitWhileBlocked(job.fd, session),
      traffic: sessionCore.server.counters,
    };
    let reason: EndReason = serveClient(job.fd, session, readBuffer, hooks);
    if (reason === 'subscribed') reason = serveSubscriber(job.fd, session, hooks);
    if (reason === 'closed-by-server') lingeringClose(job.fd);
    // Redis: "Closing client that reached max query buffer length"; the descriptor is closed below, at once.
    if (reason === 'query-buffer-limit') {
      post({
        type: 'log',
        level: 'warn',
        msg: `closing client that reached max query buffer length (${job.addr})`,
      });
    }
  } finally {
    session.end();
    current = null;
    // Out of shared view first (under the slot lock), so the main thread never shuts down a number that
    // close() has freed for reuse; then close.
    const fd = state.release(init.slot);
    if (fd !== NO_FD) closeSync(fd);
    memory.clientEnded();
  }
}

/**
 * How often a worker whose client is blocked looks at the client's socket, the clock and its mailbox without
 * being woken: a push, CLIENT UNBLOCK, CLIENT KILL and shutdown all wake it at once through its wake cell, so
 * this only bounds how late it notices a client that hung up while blocked (Redis notices at once: its loop
 * reads the socket). 10 looks a second cost nothing measurable (bench/results/blocking.md).
 */
const BLOCKED_LOOK_MS = 100;

/**
 * The client is blocked (BLPOP and kin): the worker sleeps in Atomics.wait on its wake cell in the blocking
 * registry, not in read(2) (input that arrives meanwhile stays in the socket, as Redis leaves it in the query
 * buffer). Woken by a pusher on any thread (the reply is in this worker's mailbox), CLIENT UNBLOCK, a kill or
 * shutdown (the main thread shuts the descriptor down, then wakes the cell), by its timeout, or every
 * BLOCKED_LOOK_MS to see whether the client hung up (epoll on the socket for a hang-up only, with no wait).
 * Returns null once unblocked (the reply waits in the session), or why the client is gone.
 */
function waitWhileBlocked(fd: number, session: Session): EndReason | null {
  const blocking = workerCore().server.blocking;
  if (pubsubState === null || blocking === undefined) return 'reset';
  const registry = pubsubState.blocking;
  const hangUp = reactor === null ? -1 : reactor.epollCreate();
  const ready = new Int32Array(2);
  if (hangUp >= 0) reactor!.epollCtl(hangUp, reactor!.epoll.CTL_ADD, fd, reactor!.epoll.RDHUP);
  let nextRelay = 0;
  try {
    for (;;) {
      const seen = registry.wakeCount(init.slot);
      const now = Date.now();
      // Relayed CONFIG SET waits for a second at most: reading the port is the dearest part of a look.
      if (now >= nextRelay) {
        drainMessages();
        state.touch(init.slot, now); // a blocked client is not idle (Redis's timeout skips blocked clients)
        nextRelay = now + 1000;
      }
      workerCore().drainPubSub(); // replies other threads served it with (one shared read when none)
      if (!session.blocked) return null;
      blocking.expire(now);
      if (!session.blocked) return null;
      // Hung up, reset, or shut down by CLIENT KILL or shutdown: the session ends (and leaves the registry).
      if (hangUp >= 0 && reactor!.epollWait(hangUp, ready, 0) > 0) return 'eof';
      const wait = Math.min(BLOCKED_LOOK_MS, Math.max(0, blocking.nextDeadline() - now));
      registry.waitWake(init.slot, seen, wait);
    }
  } finally {
    if (hangUp >= 0) reactor!.closeFd(hangUp);
  }
}

/** The client subscribed: from now on the worker waits on it and on its eventfd (subscriber-loop.ts). */
function serveSubscriber(fd: number, session: Session, hooks: ClientLoopHooks): EndReason {
  return serveSubscribed(fd, session, {
    native: reactor!,
    fdutil: addon as NativeFdUtil,
    wakeFd,
    buffer: readBuffer,
    hooks,
    onWake: () => {
      drainMessages();
      workerCore().drainPubSub();
      // A subscribed RESP3 client may block too (BLPOP, CLIENT PAUSE): checked at each wake, tick and timer.
      workerCore().server.blocking?.expire(Date.now());
    },
    nextTimerMs: () => (workerCore().server.blocking?.nextDeadline() ?? Infinity) - Date.now(),
    keepAlive: () => state.touch(init.slot, Date.now()),
    outputLimit: (subscribed) =>
      config.number(
        subscribed ? 'client-output-buffer-limit-pubsub-bytes' : 'client-output-buffer-limit-bytes',
      ),
    warn: (fields, msg) => post({ type: 'log', level: 'warn', msg: `${msg} (${JSON.stringify(fields)})` }),
  });
}

/**
 * We close (QUIT, protocol error, CLIENT KILL of oneself) while the client may still be sending: FIN after our
 * last replies, then drain its input until it closes. The slot is marked closing: the main thread's sweep
 * shuts the descriptor down once it has been closing for the close grace (as the event loop's lingeringEnd). Without the native helper, or if the client already left, the descriptor is just closed.
 */
function lingeringClose(fd: number): void {
  if (addon instanceof Error) return;
  try {
    addon.shutdown(fd, 'write');
  } catch {
    return; // ENOTCONN: the client is gone, nothing to drain
  }
  state.markClosing(init.slot, Date.now());
  drainUntilClosed(fd, readBuffer);
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'job':
      if (current !== null) throw new Error('pool invariant broken: a job was sent to a busy worker');
      serve(message.job);
      // An idle worker may be retired (terminated), which would leak the descriptor: its next write reopens it.
      core?.aof?.close();
      post({ type: 'idle' });
      return;
    case 'config':
      config.apply(message.name, message.value);
      return;
  }
}

port.on('message', (message: ToWorker) => handle(message));
post({ type: 'ready' });
