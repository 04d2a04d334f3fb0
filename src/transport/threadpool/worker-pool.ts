// Main-thread side of the pool: up to `size` worker threads, the job queue, and the handoff between them.
// Workers start on demand (worker-demand.ts, Apache's worker MPM): a few spare ones before the server listens,
// more as clients arrive so `minSpare` stay ready ahead of them, never more than `size`; a worker idle past the
// idle timeout is retired while more than `minSpare` are idle. A job goes to an idle worker or waits in the
// queue; a worker that reports idle takes the next. A worker that dies has its client's descriptor closed and
// its slot filled again as demand needs. Stopping shuts descriptors down before terminating threads
// (terminate() hangs while a worker is inside readSync).
// Knows nothing of listening sockets or accept; never reads or writes a client's bytes.

import { closeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ClientInfo, ShutdownFlags } from '../../core/command.js';
import type { Config } from '../../core/config.js';
import { answerConfigChange } from '../../core/config-relay.js';
import type { PubSubState } from '../../core/pubsub/shared-state.js';
import type { ServerDiagnostics } from '../../core/diagnostics.js';
import { answerShutdownRequest } from '../../core/shutdown-request.js';
import { noteStoppedByForce } from '../../core/owned-lock.js';
import { markLocksAbandoned } from '../../core/store/lock-abandonment.js';
import { JobQueue } from './job-queue.js';
import { BUSY, NO_FD, QUEUED, WORKERS, WORKERS_STARTED } from './layout.js';
import type { FromWorker, Job, QueuedClient, ToWorker, WorkerInit } from './messages.js';
import type { NativeFdUtil } from './native.js';
import { allClients, servedClients } from './pool-view.js';
import type { ClientRecord, PoolState } from './shared-state.js';
import { workersToRetire, workersToStart } from './worker-demand.js';

/** 'vacant': no thread (not needed yet, retired, or died); 'retiring': terminated for idling, not yet exited. */
type SlotState = 'vacant' | 'starting' | 'idle' | 'busy' | 'retiring' | 'exited';

interface Slot {
  readonly index: number;
  /** The slot's current (or last) thread; null before its first. */
  worker: Worker | null;
  state: SlotState;
  job: Job | null;
  /** When this slot's current thread was spawned. */
  spawnedAt: number;
  /** When its worker last became idle (retirement goes by it). */
  idleSince: number;
  /** A thread that died before it was ready is not started again in this slot before this time. */
  retryAt: number;
}

export interface WorkerPoolOptions {
  /** The most worker threads (--workers): clients beyond this many wait in the queue. */
  readonly size: number;
  /** Idle workers kept ready ahead of clients (Apache's MinSpareThreads); also how many start before listening. */
  readonly minSpare: number;
  readonly workerUrl: URL;
  readonly state: PoolState;
  readonly config: Config;
  readonly logger: Logger;
  readonly native: NativeFdUtil;
  /** workerData for every thread, but the slot number and the config (a fresh snapshot per spawn). */
  readonly init: Omit<WorkerInit, 'slot' | 'config'>;
  /** Pub/Sub's shared state: a thread that exits leaves it (its subscriptions, its eventfd). */
  readonly pubsub?: PubSubState;
  /** The slow log: a lock hold of a thread that died is undone. */
  readonly diagnostics?: ServerDiagnostics;
  /** The server's shutdown routine, for a worker's SHUTDOWN. */
  readonly shutdown?: (flags: ShutdownFlags) => boolean;
  /** The server's stop, for a thread's append-only file failure under appendfsync always (Redis's exit(1)). */
  readonly exit?: (reason: string) => void;
  /** The store's control buffer: marked when a worker is ended by force (lock-abandonment.ts). */
  readonly storeControl: Int32Array;
}

/**
 * Each worker isolate's young generation, capped (V8's default grows to 48 MiB and an idle isolate never gives
 * it back). Under the bad-input storm of bench/pool-bad-input.ts, 16 workers kept 150 MB at 8 MiB, 80 MB at
 * 4 MiB. Cost measured with bench/pool-cost.ts (SET, 50 clients, a loaded 2-core machine): none at -P 1 (a
 * read and a write per request dominate); at -P 16 server CPU per request 6.95-8.8 µs against 6.7-8.1 µs
 * uncapped; at 2 MiB throughput fell by about two thirds.
 */
export const WORKER_YOUNG_GENERATION_MB = 4;

/** A replacement that dies before it is ready (a broken build?) is retried no faster than this. */
const RESPAWN_BACKOFF_MS = 1000;

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already gone: nothing more to free.
  }
}

/** A client the idle timeout skips, from the record its worker published (null: none yet, so not one). */
function neverTimedOut(record: ClientRecord | null): boolean {
  return (
    record !== null && (record.monitor === true || record.blocked === true || record.pubsub?.active === true)
  );
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue = new JobQueue();
  /** Threads stop() terminated before they were ready. */
  private readonly endedWhileStarting = new WeakSet<Worker>();
  /** Idle slots, most recently freed last (its thread's caches are warm). */
  private idle: Slot[] = [];
  private started = false;
  /** No new work: set by stop() and abort(). */
  private stopping = false;
  private stopCalled = false;
  private startWaiter: { resolve(): void; reject(error: Error): void } | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private exitWaiter: (() => void) | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  /** The slot whose CONFIG SET is being applied on main, so the relay skips it. */
  private relayOrigin = -1;

  constructor(private readonly options: WorkerPoolOptions) {
    options.config.onChange((name, value) =>
      this.broadcast({ type: 'config', name, value }, this.relayOrigin),
    );
  }

  /**
   * Spawns one worker and resolves once it is ready: a broken build fails here, and the first client is served
   * as soon as it connects. The other spares start right after (ensureSpare on 'ready'), not alongside it: on
   * two cores, threads starting together would delay the first one. The rest follow the clients.
   */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.startWaiter = { resolve, reject }));
    for (let index = 0; index < this.options.size; index++) {
      this.slots.push({
        index,
        worker: null,
        state: 'vacant',
        job: null,
        spawnedAt: 0,
        idleSince: 0,
        retryAt: 0,
      });
    }
    this.spawn(this.slots[0]);
    return ready;
  }

  /** Starts the workers demand calls for (worker-demand.ts), in vacant slots that may be used again now. */
  private ensureSpare(): void {
    if (this.stopping || !this.started) return;
    const now = Date.now();
    const vacant = this.slots.filter((s) => s.state === 'vacant');
    const usable = vacant.filter((s) => s.retryAt <= now);
    let starting = 0;
    for (const slot of this.slots) if (slot.state === 'starting') starting++;
    const wanted = workersToStart(
      { idle: this.idle.length, starting, queued: this.queue.length, vacant: vacant.length },
      this.options.minSpare,
    );
    for (const slot of usable.slice(0, wanted)) this.spawn(slot);
    // Demand left that only slots in their back-off can meet: look again when the first of them may be used.
    if (wanted > usable.length && this.retryTimer === null) {
      const at = Math.min(...vacant.filter((s) => s.retryAt > now).map((s) => s.retryAt));
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.ensureSpare();
      }, at - now);
      this.retryTimer.unref();
    }
  }

  private spawn(slot: Slot): void {
    const index = slot.index;
    const worker = new Worker(this.options.workerUrl, {
      workerData: { ...this.options.init, slot: index, config: this.options.config.snapshot() },
      // Workers open no descriptors of their own, and closing clients' ones must not print warnings.
      trackUnmanagedFds: false,
      // V8 grows a young generation to 3 x 16 MiB under allocation and never shrinks it in an idle isolate:
      // one busy client, then 48 MiB per worker for good (bench/results/pool-bad-input.md).
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      // No execArgv: the thread inherits the main thread's flags, Node's default. Naming them made Worker refuse any
      // V8 or per-process flag (node --max-semi-space-size=4, --perf-basic-prof, --expose-gc: the server would not
      // start), which the default accepts as the process's own.
    });
    slot.worker = worker;
    slot.state = 'starting';
    slot.job = null;
    slot.spawnedAt = Date.now();
    this.options.state.add(WORKERS_STARTED, 1);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, worker, message));
    worker.on('error', (error) => {
      // Out of its heap limits (resourceLimits), the thread was ended wherever it was, locks held or not.
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY')
        markLocksAbandoned(this.options.storeControl);
      this.options.logger.error({ err: error, worker: index }, 'pool worker threw; replacing it');
      if (!this.started)
        this.startWaiter?.reject(new Error(`pool worker ${index} failed to start: ${error.message}`));
    });
    worker.on('exit', (code) => this.onExit(slot, worker, code));
  }

  private onMessage(slot: Slot, worker: Worker, message: FromWorker): void {
    if (slot.worker !== worker) {
      if (message.type === 'queued') message.reply.close(); // its asker was replaced: nobody waits on it
      if (message.type === 'shutdown') answerShutdownRequest(message, undefined); // refused: do not leave it waiting
      if (message.type === 'config') answerConfigChange(message); // nobody to relay for: do not leave it waiting
      return;
    }
    switch (message.type) {
      case 'ready':
        this.options.state.add(WORKERS, 1);
        slot.state = 'idle';
        slot.idleSince = Date.now();
        // A thread stop() ended while it started may still report ready: it takes no work.
        if (this.stopping) return this.endedWhileStarting.has(worker) ? undefined : this.next(slot);
        if (!this.started) {
          this.started = true;
          this.startWaiter?.resolve();
        }
        this.next(slot);
        return this.ensureSpare();
      case 'idle':
        this.options.state.add(BUSY, -1);
        slot.job = null;
        slot.state = 'idle';
        slot.idleSince = Date.now();
        return this.next(slot);
      case 'config':
        try {
          return this.relayConfig(slot.index, message.name, message.value);
        } finally {
          answerConfigChange(message); // posted to every other worker: it may reply
        }
      case 'kill':
        this.killClient(message.clientId);
        return;
      case 'queued':
        // A worker is blocked in CLIENT LIST until this is answered (queued-query.ts): answer now. Every
        // question brings a fresh port, and one left open stays in memory (10,000 CLIENT LISTs grew the heap
        // by 12 MB): closed once the answer is posted, which is then already in the worker's queue.
        try {
          message.reply.postMessage(this.queuedClients());
        } finally {
          message.reply.close();
        }
        this.options.state.markAnswered(slot.index, message.request);
        return;
      case 'shutdown':
        return answerShutdownRequest(message, this.options.shutdown);
      case 'exit':
        return this.options.exit?.(message.reason);
      case 'log': {
        const context = { worker: slot.index, command: message.command, err: message.error };
        this.options.logger[message.level](context, message.msg);
        return;
      }
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    const { state } = this.options;
    if (slot.state !== 'starting') state.add(WORKERS, -1);
    if (slot.state === 'busy') state.add(BUSY, -1);
    this.idle = this.idle.filter((s) => s !== slot);
    // It may have died holding its slot lock, and with its client's descriptor still open: close it.
    state.forceUnlock(slot.index);
    const fd = state.release(slot.index);
    if (fd !== NO_FD) closeQuietly(fd);
    // Its subscriptions end with it, and its eventfd is closed once no publisher can signal it.
    this.options.diagnostics?.releaseDeadHolder(worker.threadId);
    const wakeFd = this.options.pubsub?.releaseEndpoint(slot.index, worker.threadId) ?? -1;
    if (wakeFd >= 0) closeQuietly(wakeFd);
    const wasReady = slot.state !== 'starting';
    const retired = slot.state === 'retiring';
    slot.job = null;
    if (this.stopping) {
      slot.state = 'exited';
      return this.checkStopped();
    }
    slot.state = 'vacant';
    if (retired) return;
    if (!this.started) {
      this.startWaiter?.reject(
        new Error(`pool worker ${slot.index} exited with code ${code} before it was ready`),
      );
      return;
    }
    this.options.logger.warn({ worker: slot.index, code }, 'pool worker exited; starting a replacement');
    if (!wasReady) slot.retryAt = slot.spawnedAt + RESPAWN_BACKOFF_MS;
    this.ensureSpare();
  }

  /**
   * Retires the workers idle for `idleMs` or more, oldest first, while more than the spare count are idle
   * (called by the transport's periodic sweep). An idle worker waits in its event loop, so terminate() is safe.
   */
  retireIdle(now: number, idleMs: number): void {
    if (this.stopping) return;
    const count = workersToRetire(
      this.idle.map((slot) => slot.idleSince),
      now,
      idleMs,
      this.options.minSpare,
    );
    for (const slot of this.idle.splice(0, count)) {
      slot.state = 'retiring';
      this.terminate(slot.worker);
    }
  }

  /**
   * Hands the slot the next waiting client, or marks it idle. While stopping, the waiting clients (their input
   * already shut down by stop()) are still served, so what they sent is answered; then the thread ends.
   */
  private next(slot: Slot): void {
    const job = this.queue.shift();
    if (job !== undefined) return this.assign(slot, job, true);
    if (this.stopping) return this.terminate(slot.worker);
    this.idle.push(slot);
  }

  /**
   * Ends a worker's thread. An idle one waits in its event loop, but may be draining its Pub/Sub mailbox there,
   * under the registry's lock: the lock is given up on if it is ended holding it (owned-lock.ts).
   */
  private terminate(worker: Worker | null): void {
    if (worker === null) return;
    noteStoppedByForce(worker.threadId);
    void worker.terminate();
  }

  private assign(slot: Slot, job: Job, fromQueue: boolean): void {
    const { state } = this.options;
    slot.state = 'busy';
    slot.job = job;
    // Busy up before queued down: readers of the two counters never see the client missing.
    state.add(BUSY, 1);
    if (fromQueue) state.add(QUEUED, -1);
    state.assign(slot.index, job.fd, job.clientId, job.createdAt, Date.now());
    slot.worker?.postMessage({ type: 'job', job } satisfies ToWorker);
  }

  /** Takes ownership of the job's descriptor: served now, queued, or closed if the pool is stopping. */
  submit(job: Job): void {
    if (this.stopping) return closeQuietly(job.fd);
    const slot = this.idle.pop();
    if (slot !== undefined) this.assign(slot, job, false);
    else {
      this.queue.push(job);
      this.options.state.add(QUEUED, 1);
    }
    this.ensureSpare();
  }

  /** Clients served plus clients waiting: what maxclients limits. */
  connected(): number {
    return this.options.state.counter(BUSY) + this.queue.length;
  }

  /** The waiting clients, oldest first. O(queue), but only when someone asks for the list. */
  queuedClients(): QueuedClient[] {
    return this.queue.toArray().map((job) => ({
      id: job.clientId,
      fd: job.fd,
      addr: job.addr,
      laddr: job.laddr,
      createdAt: job.createdAt,
    }));
  }

  clients(): ClientInfo[] {
    return allClients(servedClients(this.options.state), this.queuedClients());
  }

  /**
   * shutdown(2)s the descriptor slot `index` is serving, if it still serves `clientId` (any client when
   * omitted). Under the slot lock: the worker cannot close the descriptor, nor its number be reused, meanwhile.
   */
  shutdownSlot(index: number, how: 'read' | 'both', clientId?: number): boolean {
    return this.options.state.withSlot(index, (fd, id) => {
      if (fd === NO_FD || (clientId !== undefined && id !== clientId)) return false;
      try {
        this.options.native.shutdown(fd, how);
      } catch (e) {
        // ENOTCONN: the client already left; the worker's read returns 0 all the same.
        if ((e as NodeJS.ErrnoException).code !== 'ENOTCONN') throw e;
      }
      // A worker whose client is blocked (BLPOP) waits in Atomics.wait, not in read(2): wake it to see the
      // shutdown now rather than at its next periodic look.
      this.options.pubsub?.blocking.wake(index);
      return true;
    });
  }

  /** CLIENT KILL from any thread: a served client is shut down, a waiting one closed. */
  killClient(clientId: number): boolean {
    for (const slot of this.slots) {
      if (slot.state === 'busy' && this.shutdownSlot(slot.index, 'both', clientId)) return true;
    }
    return this.closeQueued((job) => job.clientId === clientId) > 0;
  }

  /** SHUT_RD on a waiting client's descriptor; false if that failed (the client is gone: ENOTCONN). */
  private shutDownInput(fd: number): boolean {
    try {
      this.options.native.shutdown(fd, 'read');
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the waiting clients `which` selects; returns how many. */
  closeQueued(which: (job: Job) => boolean): number {
    const taken = this.queue.removeWhere(which);
    for (const job of taken) {
      closeQuietly(job.fd);
      this.options.state.add(QUEUED, -1);
    }
    return taken.length;
  }

  /**
   * Idle timeout: shuts down served clients inactive for more than `idleMs`. As Redis's clientsCronHandleTimeout,
   * a subscriber, a monitor and a blocked client are never timed out: their workers touch the slot only about
   * once a second, which a timeout of 1 s would otherwise outrun. A client waiting in the queue is not timed out
   * either: it may have sent a request the server has not read yet (Redis reads every client at once), and it
   * waits only because no worker was free or started in time (a worker takes seconds to start on a loaded
   * machine). The timeout frees the workers idle clients pin, so the queue moves; once served, a client that
   * stays idle is timed out as any other.
   */
  sweepIdle(now: number, idleMs: number): void {
    const { state } = this.options;
    for (const slot of this.slots) {
      if (slot.state !== 'busy' || slot.job === null) continue;
      if (now - state.lastInteraction(slot.index) > idleMs && !neverTimedOut(state.read(slot.index)))
        this.shutdownSlot(slot.index, 'both', slot.job.clientId);
    }
  }

  /** Lingering close: a worker still draining a client it closed more than `graceMs` ago is freed. */
  sweepClosing(now: number, graceMs: number): void {
    const { state } = this.options;
    for (const slot of this.slots) {
      if (slot.state !== 'busy' || slot.job === null) continue;
      const since = state.closingSince(slot.index);
      if (since !== null && now - since > graceMs) this.shutdownSlot(slot.index, 'both', slot.job.clientId);
    }
  }

  private relayConfig(origin: number, name: string, value: string): void {
    const { config, logger } = this.options;
    this.relayOrigin = origin;
    try {
      // set(), not apply(): the main thread's own listeners and checks (e.g. maxclients against the
      // descriptor limit) run; our onChange listener relays to every other worker.
      config.set(name, value);
    } catch (e) {
      logger.warn(
        { err: e, setting: name, value },
        'CONFIG SET from a pool worker refused by the main thread',
      );
      this.broadcast({ type: 'config', name, value: config.string(name) }, -1);
    } finally {
      this.relayOrigin = -1;
    }
  }

  /** Sends every worker a value set on the main thread with apply() (which calls no onChange listener). */
  replicate(name: string, value: string): void {
    this.broadcast({ type: 'config', name, value }, -1);
  }

  private broadcast(message: ToWorker, except: number): void {
    for (const slot of this.slots) {
      const live = slot.state === 'starting' || slot.state === 'idle' || slot.state === 'busy';
      if (slot.index !== except && live) slot.worker?.postMessage(message);
    }
  }

  /**
   * Graceful stop: every client gets SHUT_RD, served and waiting alike: a read returns what the client had
   * sent, then 0, so its requests are answered and its session ends (for a waiting one, once a worker frees up
   * and takes it; Redis has no queue, and answers them all). Closing a waiting client instead would drop its
   * requests and, with its input unread, reset the connection. After `graceMs`, SHUT_RDWR frees a worker
   * blocked writing to a client that does not read, and clients still waiting are closed. Each thread is
   * terminated once it finds no work. Resolves when every thread has exited.
   */
  stop(graceMs: number): Promise<void> {
    if (!this.stopCalled) {
      this.stopCalled = true;
      this.stopping = true;
      this.startWaiter?.reject(new Error('the pool was closed before its workers were ready'));
      this.closeQueued((job) => !this.shutDownInput(job.fd));
      for (const slot of this.slots) if (slot.state === 'busy') this.shutdownSlot(slot.index, 'read');
      for (const slot of this.idle.splice(0)) this.next(slot);
      if (this.retryTimer !== null) clearTimeout(this.retryTimer);
      for (const slot of this.slots) {
        if (slot.state !== 'starting' || slot.worker === null) continue;
        this.endedWhileStarting.add(slot.worker);
        this.terminate(slot.worker);
      }
      this.graceTimer = setTimeout(() => {
        this.closeQueued(() => true);
        for (const slot of this.slots) if (slot.state === 'busy') this.shutdownSlot(slot.index, 'both');
      }, graceMs);
    }
    return new Promise<void>((resolve) => {
      const previous = this.exitWaiter;
      this.exitWaiter = () => {
        previous?.();
        resolve();
      };
      this.checkStopped();
    });
  }

  /**
   * For an immediate exit: every served client gets SHUT_RDWR and every waiting one is closed, synchronously,
   * so no worker stays blocked in read(2)/write(2) (process.exit() would hang on it). Threads are left to exit.
   */
  abort(): void {
    this.stopping = true;
    this.closeQueued(() => true);
    for (const slot of this.slots) if (slot.state === 'busy') this.shutdownSlot(slot.index, 'both');
  }

  private checkStopped(): void {
    if (!this.slots.every((s) => s.state === 'exited' || s.state === 'vacant')) return;
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    const waiter = this.exitWaiter;
    this.exitWaiter = null;
    waiter?.();
  }
}
