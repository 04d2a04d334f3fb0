// A hybrid loop thread (entry point; runs as compiled JavaScript from dist/): builds its core through the same
// function as the pool's workers (createThreadCore), then runs its ReactorLoop over its clients until told to
// stop. Loop 0 also accepts (acceptor.ts), once the main thread says every loop is ready, and hands clients to the
// others through shared rings. Blocked in epoll_wait, it never returns to its Node event loop: the main thread
// writes its eventfd after every message, and it drains its port synchronously. CLIENT LIST asks the main
// thread for the other loops' clients and waits, answering their own questions meanwhile (no deadlock when
// two loops list at once). Knows nothing of accepting.

import {
  MessageChannel,
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';
import type { ClientInfo, TransportStats } from '../../core/command.js';
import { ClientBufferPeaks } from '../../core/client-buffer-peaks.js';
import { AofFiles } from '../../core/aof/aof-files.js';
import { Config } from '../../core/config.js';
import { relayConfigChange } from '../../core/config-relay.js';
import { PubSubState } from '../../core/pubsub/shared-state.js';
import { Session } from '../../core/session.js';
import { askMainThreadToShutDown } from '../../core/shutdown-request.js';
import { SharedStore } from '../../core/store/store.js';
import { bindStoreLimits } from '../../core/store-limits.js';
import { asMemory, loadNativeFrom } from '../threadpool/native-addon.js';
import { freeOwnedBuffer } from '../free-buffer.js';
import { memoryPurge } from '../memory-purge.js';
import { type ThreadCore, createThreadCore } from '../../core/thread-core.js';
import { ERR } from '../../core/errors.js';
import { acceptWaiting, type AcceptorHost, drainHandoffs } from './acceptor.js';
import {
  answeredAt,
  BUFFERS_RELEASED,
  CONFIG_GENERATION,
  connectedAt,
  LOOPS,
  MAX_FD,
  ownerAt,
  REJECTED,
  TCP_PORT,
  TOTAL_CONNECTIONS,
  wakeFdAt,
  STANDBY_ACCEPT,
} from './layout.js';
import { type LoopHost, type LoopLimits, LoopClient } from './loop-client.js';
import type { FromLoop, LoopInit, ToLoop } from './messages.js';
import { asReactor } from './native-reactor.js';
import { ReactorLoop } from './reactor-loop.js';
import { errnoName } from '../errno-name.js';
import { writeOutThenRelease } from '../log-write-out.js';
import { serveWhileBusyOn } from '../serve-while-busy.js';
import type { Scripting } from '../../core/scripting/scripting.js';
import type { ByteWriter } from '../../core/reply-encoding.js';

type StoreHandles = ReturnType<SharedStore['handles']>;

/** How long CLIENT LIST waits for the other loops' clients before it lists this loop's alone. */
const LIST_TIMEOUT_MS = 1000;

if (parentPort === null) throw new Error('loop-worker.ts is a worker_threads entry point, not a module');
const port = parentPort;
const init = workerData as LoopInit;
const state = new Int32Array(init.stateBuffer);
const config = new Config(init.config);
const store = SharedStore.attach(init.storeHandles as StoreHandles, Date.now);
// Keys this thread finds expired become `expired` keyspace events (its sessions exist only after workerCore()).
store.onExpired((db, key) => core?.expired(db, key));
// The main thread set the store's limits before any loop started. This loop's config is a snapshot taken when it
// was spawned: a CONFIG SET made since (on the main thread while it started; on any loop before a replacement
// starts) is in the store already, and writing the snapshot would undo it.
bindStoreLimits(store, config, { initial: false });
const addon = loadNativeFrom(init.nativeRoot);
if (addon instanceof Error) throw addon;
const reactor = asReactor(addon);
if (reactor instanceof Error) throw reactor;
const native = reactor;
const memoryCalls = asMemory(addon);
/** INFO's recent client buffer peaks: this loop's sweep samples its clients into its row, INFO reads every row. */
const bufferPeaks = ClientBufferPeaks.attach(init.bufferPeaksBuffer);

/**
 * A large query buffer a session let go of is freed now: left to the GC, the ~130 KiB buffers a client streaming
 * pipelined writes outgrows and drops grew the serving loop's malloc arena by 1.4-4.9 MB under bench/eviction.ts's
 * cap load (allkeys-lru, volatile-random), and by none freed at once.
 */
function releaseQueryBuffer(buffer: Buffer): void {
  if (memoryCalls !== null && freeOwnedBuffer(memoryCalls, buffer)) Atomics.add(state, BUFFERS_RELEASED, 1);
}

function post(message: FromLoop, transfer: MessagePort[] = []): void {
  port.postMessage(message, transfer);
}

const limits: LoopLimits = { outputBufferLimit: 0, queryBufferLimit: 0, pubsubOutputBufferLimit: 0 };
function readLimits(): void {
  limits.outputBufferLimit = config.number('client-output-buffer-limit-bytes');
  limits.queryBufferLimit = config.number('client-query-buffer-limit');
  limits.pubsubOutputBufferLimit = config.number('client-output-buffer-limit-pubsub-bytes');
}
readLimits();
// A change made here goes to the main thread, which relays it to the other loops before CONFIG SET replies
// (config-relay.ts); a relayed change is applied with apply(), which calls no listener, so nothing echoes.
config.onChange((name, value) => {
  readLimits();
  relayConfigChange(post, name, value);
});

/** The config generation this loop has read its port for (layout.ts CONFIG_GENERATION). */
let configSeen = Atomics.load(state, CONFIG_GENERATION);

/** Before a turn's clients run: a CONFIG SET relayed since is applied first (its message is in our port). */
function applyRelayedConfig(): void {
  const generation = Atomics.load(state, CONFIG_GENERATION);
  if (generation === configSeen) return;
  configSeen = generation;
  drain();
}

const loop = new ReactorLoop({
  native,
  idleCheckIntervalMs: init.idleCheckIntervalMs,
  closeGraceMs: init.closeGraceMs,
  idleTimeoutMs: () => config.number('timeout') * 1000,
  onWake: drain,
  beforeEvents: applyRelayedConfig,
  afterEvents: endOfTurn,
  // Blocked clients' timeouts (BLPOP ... timeout): the loop's wait never outlasts the earliest.
  nextTimer: () => core?.server.blocking?.nextDeadline() ?? Infinity,
  onTimer: (now) => core?.server.blocking?.expire(now),
  onBuffersSampled: (now, buffers) => bufferPeaks.record(init.index, now, buffers),
  promote: (fd, id, createdAt) => new LoopClient(fd, id, createdAt, host),
  onClosed: (fd, counted) => {
    // Not ours any more, before close() frees the number for reuse.
    if (fd < MAX_FD) Atomics.store(state, ownerAt(init.loops, fd), 0);
    if (counted) Atomics.sub(state, connectedAt(init.index), 1);
  },
});

/** A client is now this loop's: recorded so the main thread closes it should this thread die. */
function adopt(fd: number, id: number, createdAt: number): void {
  if (fd < MAX_FD) Atomics.store(state, ownerAt(init.loops, fd), init.index + 1);
  loop.adopt(fd, id, createdAt);
}

const acceptor: AcceptorHost = {
  native,
  state,
  loops: init.loops,
  self: init.index,
  maxclients: () => config.number('maxclients'),
  adopt,
  turnAway: (fd) => {
    if (fd < MAX_FD) Atomics.store(state, ownerAt(init.loops, fd), init.index + 1);
    const client = new LoopClient(fd, 0, Date.now(), host);
    loop.add(client);
    client.turnAway(`-${ERR.maxClients}\r\n`);
  },
  failed: (errno) => {
    const code = errnoName(errno);
    post({ type: 'acceptError', code, message: `accept failed: ${code}` });
    // Out of descriptors: the listener stays readable, so stop watching it for a moment rather than spin.
    if (code === 'EMFILE' || code === 'ENFILE') loop.pauseListening(100);
  },
};

const host: LoopHost = {
  native,
  readBuffer: Buffer.allocUnsafe(64 * 1024),
  limits,
  now: Date.now,
  watch: (client, events) => loop.watch(client, events),
  newSession: (client) =>
    new Session(
      {
        ...workerCore().sessionCore(),
        logWrittenByTransport: true, // the turn writes the file (endOfTurn)
        ...(memoryCalls === null ? {} : { releaseBuffer: releaseQueryBuffer }),
      },
      { id: client.id, addr: client.addr, laddr: client.laddr },
    ),
  release: (client) => loop.release(client),
  shutdownWrite: (fd) => {
    try {
      addon.shutdown(fd, 'write');
      return true;
    } catch {
      return false; // ENOTCONN: the peer is gone
    }
  },
  warn: (fields, msg) => post({ type: 'log', level: 'warn', msg, fields: loggable(fields) }),
  pushed: (client) => void pushedTo.add(client),
  holding: (client) => void heldFor.add(client),
  insideScript: () => core?.server.scripting?.cache.busy.servingFromHook === true,
  closeAfterScript: (client) => void closedInScript.push(client),
  get traffic() {
    return core?.server.counters;
  },
};

/** Clients whose sessions got Pub/Sub messages during this turn of the loop: written once it ends. */
const pushedTo = new Set<LoopClient>();

function flushPushes(): void {
  if (pushedTo.size === 0) return;
  for (const client of pushedTo) client.flushPushes();
  pushedTo.clear();
}

/** Clients holding replies until the end of this turn. */
const heldFor = new Set<LoopClient>();

/** Clients closed from inside a script (LoopHost.closeAfterScript): closed at the end of the turn. */
const closedInScript: LoopClient[] = [];

/**
 * The end of a turn, after every read, timer and push of it, as Redis's beforeSleep: the append-only file's records
 * written (one write, one sync for always), then every held client's replies; then the thread's writer starts
 * again, every reply it lent being written or copied.
 */
function endOfTurn(): void {
  flushPushes();
  writeHeldReplies();
  // The script that ran in this turn has let its locks go: their sessions may end now.
  for (let client = closedInScript.pop(); client !== undefined; client = closedInScript.pop())
    client.destroy();
  core?.writer.rewind();
}

/** The append-only file's records written, then every held client's replies (endOfTurn; a script's time-out). */
function writeHeldReplies(): void {
  const aof = core?.aof;
  if (heldFor.size === 0 && aof?.owes !== true) return;
  const held = [...heldFor];
  heldFor.clear();
  if (aof === undefined || !aof.owes) for (const client of held) client.releaseHeld();
  else {
    writeOutThenRelease(
      aof,
      held,
      (client) => client.releaseHeld(),
      (client) => client.destroy(),
      (error) =>
        host.warn(
          { err: (error as Error).message, clients: held.length },
          'writing the append only file failed; closing the clients it held',
        ),
    );
  }
}

/**
 * Pub/Sub: this loop is endpoint `index`; a publisher on another thread leaves messages in its mailbox and writes
 * its eventfd (the one that wakes it for hand-offs and messages too), so drain() delivers them.
 */
const pubsubState = init.pubsubHandles === null ? null : PubSubState.attach(init.pubsubHandles);

/** Error objects do not survive structured cloning whole: keep their message and stack. */
function loggable(fields: Record<string, unknown>): Record<string, unknown> {
  const err = fields.err;
  if (!(err instanceof Error)) return fields;
  return { ...fields, err: { message: err.message, stack: err.stack } };
}

let core: ThreadCore | null = null;

/** Built at the first session: the bound port is known only once every loop is ready and the server listens. */
function workerCore(): ThreadCore {
  if (core !== null) return core;
  core = createThreadCore({
    store,
    config,
    version: init.version,
    startedAt: init.startedAt,
    executable: init.executable,
    tcpPort: Atomics.load(state, TCP_PORT),
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
            endpoint: init.index,
            signal: (fd: number) => void native.eventfdSignal(fd),
          },
        }),
    clients: listClients,
    client: (id) => loop.find(id)?.info(),
    // Read from the shared rows every loop samples into: INFO asks no other loop (bench/info-clients.ts).
    clientBuffers: () => bufferPeaks.read(),
    transportStats,
    killClient,
    purgeMemory: memoryPurge(memoryCalls),
    shutdown: (flags) => askMainThreadToShutDown((request) => post(request), flags),
    reportUnexpected: (error, command) =>
      post({
        type: 'log',
        level: 'error',
        msg: 'unexpected error in a command',
        fields: loggable({ err: error, command }),
      }),
  });
  core.writer.keepLentUntilRewind(); // replies are held until the end of the turn (endOfTurn)
  const scripting = core.server.scripting;
  if (scripting !== undefined) serveWhileScriptsRun(scripting, core.writer);
  return core;
}

/**
 * A script of this loop that runs past busy-reply-threshold holds the thread: from its hook this loop's other
 * clients are read and answered anyway (serve-while-busy.ts), as the event loop's are and as Redis does; clients of
 * the other loops are answered by their own threads. With one loop, it accepts new clients there too; with more,
 * loop 0 hands accepting to loop 1 meanwhile (handOverAccepting), where new clients are served as usual.
 */
function serveWhileScriptsRun(scripting: Scripting, writer: ByteWriter): void {
  const handsOverAccepting = init.index === 0 && init.loops > 1;
  serveWhileBusyOn(scripting, native, {
    forEachClient: (watch) => loop.forEachClient(watch),
    clientOn: (fd) => loop.clientOn(fd) ?? null,
    listeningDescriptor: () => (init.loops === 1 && listening && !stopping ? init.listenFd : -1),
    acceptWaiting: (watch) =>
      acceptWaiting(
        {
          ...acceptor,
          adopt: (fd, id, createdAt) => {
            adopt(fd, id, createdAt);
            watch(fd, null);
          },
        },
        init.listenFd,
      ),
    writer,
    started: () => {
      if (handsOverAccepting) handOverAccepting(true);
      writeHeldReplies();
    },
    stopped: () => {
      if (handsOverAccepting) handOverAccepting(false);
    },
  });
}

/**
 * Loop 0 (the accepting loop) runs a script past busy-reply-threshold, or that script ended: loop 1 is told to
 * accept meanwhile, or to stop. Called on loop 0's thread, from inside the script for `true`.
 */
function handOverAccepting(timedOut: boolean): void {
  // The listening descriptor + 1: only loop 0 was given it.
  Atomics.store(state, STANDBY_ACCEPT, timedOut && init.listenFd >= 0 ? init.listenFd + 1 : 0);
  const wakeFd = Atomics.load(state, wakeFdAt(1));
  if (wakeFd >= 0) native.eventfdSignal(wakeFd);
}

/** Loop 1: accepts while loop 0 is held by a busy script (STANDBY_ACCEPT), keeping each client it accepts. */
let standbyListening = false;
const standbyAcceptor: AcceptorHost = { ...acceptor, keepsAll: true };

function followStandbyAccept(): void {
  const listenFd = stopping ? -1 : Atomics.load(state, STANDBY_ACCEPT) - 1;
  const wanted = listenFd >= 0;
  if (wanted === standbyListening) return;
  standbyListening = wanted;
  if (wanted) loop.listen(listenFd, () => acceptWaiting(standbyAcceptor, listenFd));
  else loop.stopListening();
}

function transportStats(): TransportStats {
  let connected = 0;
  for (let i = 0; i < init.loops; i++) connected += Atomics.load(state, connectedAt(i));
  return {
    transport: 'hybrid',
    connectedClients: connected,
    totalConnections: Atomics.load(state, TOTAL_CONNECTIONS),
    rejectedConnections: Atomics.load(state, REJECTED),
    workers: Atomics.load(state, LOOPS),
    maxclients: config.number('maxclients'),
    buffersReleased: Atomics.load(state, BUFFERS_RELEASED),
  };
}

function ownClients(): ClientInfo[] {
  return loop.infos();
}

/** Messages taken off the port while waiting for a list answer, handled at the next wake. */
const deferred: ToLoop[] = [];
let requests = 0;

/** Every client of the server, by id; this loop's alone if the others do not answer in time. */
function listClients(): ClientInfo[] {
  const mine = ownClients();
  const others = init.loops > 1 ? otherLoopsClients() : [];
  return [...mine, ...(others ?? [])].sort((a, b) => a.id - b.id);
}

function otherLoopsClients(): ClientInfo[] | null {
  const request = (requests = (requests + 1) | 0);
  const { port1, port2 } = new MessageChannel();
  try {
    post({ type: 'list', request, reply: port2 }, [port2]);
    const deadline = Date.now() + LIST_TIMEOUT_MS;
    for (;;) {
      const answer = receiveMessageOnPort(port1);
      if (answer !== undefined) return answer.message as ClientInfo[];
      // Another loop may be listing too and waiting on us: answer its question now, keep the rest for later.
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const message = m.message as ToLoop;
        if (message.type === 'list') handle(message);
        else deferred.push(message);
      }
      if (Date.now() >= deadline) return null;
      const seen = Atomics.load(state, answeredAt(init.index));
      if (seen !== request) Atomics.wait(state, answeredAt(init.index), seen, 2);
    }
  } finally {
    port1.close();
    if (deferred.length > 0) native.eventfdSignal(loop.wakeFd); // handled as soon as this command returns
  }
}

/** CLIENT KILL: ours ends after its replies (the caller's own after this reply); another loop's via main. */
function killClient(id: number): boolean {
  const local = loop.find(id);
  if (local !== undefined) {
    local.end();
    return true;
  }
  const known = (otherLoopsClients() ?? []).some((client) => client.id === id);
  if (known) post({ type: 'kill', id });
  return known;
}

/** Loop 0 accepts once the main thread says every loop is ready ('listen'), and never after 'stop'. */
let listening = false;
let stopping = false;

function handle(message: ToLoop): void {
  switch (message.type) {
    case 'config':
      config.apply(message.name, message.value);
      readLimits();
      return;
    case 'kill':
      loop.find(message.id)?.end();
      return;
    case 'list':
      try {
        message.reply.postMessage(ownClients());
      } finally {
        message.reply.close();
      }
      return;
    case 'listen':
      if (init.listenFd >= 0 && !listening && !stopping) {
        listening = true;
        loop.listen(init.listenFd, () => acceptWaiting(acceptor, init.listenFd));
      }
      return;
    case 'stop':
      stopping = true;
      loop.stop(message.graceMs);
      return;
  }
}

function drain(): void {
  drainHandoffs(state, init.loops, init.index, adopt);
  core?.drainPubSub();
  for (let m = deferred.shift(); m !== undefined; m = deferred.shift()) handle(m);
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    handle(m.message as ToLoop);
  }
  if (init.index === 1) followStandbyAccept(); // after a 'stop' read just now
}

Atomics.store(state, wakeFdAt(init.index), loop.wakeFd);
pubsubState?.setWakeFd(init.index, loop.wakeFd);
post({ type: 'ready' });
drain(); // clients handed over before this loop published its eventfd
loop.run();
