// Main-thread side of the hybrid transport: its N loop threads (memcached's worker threads) and the relays
// between them: CONFIG SET, CLIENT KILL and CLIENT LIST gathering, and accept errors to log. Every message to
// a loop is followed by a write to its eventfd, since a loop waits in epoll_wait, not in its Node event loop.
// A loop that dies has its clients' descriptors closed and is replaced. Never touches a client.

import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ClientInfo, ShutdownFlags } from '../../core/command.js';
import type { Config } from '../../core/config.js';
import type { PubSubState } from '../../core/pubsub/shared-state.js';
import type { ServerDiagnostics } from '../../core/diagnostics.js';
import { answerConfigChange } from '../../core/config-relay.js';
import { answerShutdownRequest } from '../../core/shutdown-request.js';
import { noteStoppedByForce } from '../../core/owned-lock.js';
import { markLocksAbandoned } from '../../core/store/lock-abandonment.js';
import { AcceptErrorLog } from '../accept-policy.js';
import {
  answeredAt,
  CONFIG_GENERATION,
  connectedAt,
  LOOPS,
  MAX_FD,
  ownerAt,
  ringHeadAt,
  ringSlotAt,
  ringTailAt,
  wakeFdAt,
} from './layout.js';
import type { FromLoop, LoopInit, ToLoop } from './messages.js';
import type { NativeReactor } from './native-reactor.js';
import { workerYoungGenerationLimits } from '../../young-generation.js';

function youngGeneration(): { resourceLimits?: { maxYoungGenerationSizeMb: number } } {
  const limits = workerYoungGenerationLimits();
  return limits === undefined ? {} : { resourceLimits: limits };
}

export interface LoopGroupOptions {
  readonly size: number;
  readonly workerUrl: URL;
  readonly state: Int32Array;
  readonly config: Config;
  readonly logger: Logger;
  readonly native: NativeReactor;
  /** workerData for every loop but its index and the config (a fresh snapshot per spawn). */
  readonly init: Omit<LoopInit, 'index' | 'config'>;
  /** Pub/Sub's shared state: a loop that exits leaves it (its subscriptions; its eventfd out of view). */
  readonly pubsub?: PubSubState;
  /** The slow log: a lock hold of a thread that died is undone. */
  readonly diagnostics?: ServerDiagnostics;
  /** The server's shutdown routine, for a loop's SHUTDOWN. */
  readonly shutdown?: (flags: ShutdownFlags) => boolean;
  /** The server's stop, for a thread's append-only file failure under appendfsync always (Redis's exit(1)). */
  readonly exit?: (reason: string) => void;
  /** The store's control buffer: marked when a loop is terminated (lock-abandonment.ts). */
  readonly storeControl: Int32Array;
}

interface Loop {
  readonly index: number;
  worker: Worker;
  ready: boolean;
  exited: boolean;
}

/** How long gathering the other loops' clients may take before the asker gets what arrived. */
const GATHER_TIMEOUT_MS = 500;

export class LoopGroup {
  private readonly loops: Loop[] = [];
  private readonly acceptErrors: AcceptErrorLog;
  private readyWaiter: { resolve(): void; reject(error: Error): void } | null = null;
  private stopping = false;
  /** The loop whose CONFIG SET is being applied here, so the relay skips it. */
  private relayOrigin = -1;

  constructor(private readonly options: LoopGroupOptions) {
    this.acceptErrors = new AcceptErrorLog(options.logger);
    for (let index = 0; index < options.size; index++) Atomics.store(options.state, wakeFdAt(index), -1);
    options.config.onChange((name, value) =>
      this.broadcast({ type: 'config', name, value }, this.relayOrigin),
    );
  }

  /** Spawns every loop; resolves once all are ready (memcached: threads counted before the first accept). */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    for (let index = 0; index < this.options.size; index++) this.loops.push(this.spawn(index));
    return ready;
  }

  private spawn(index: number, existing?: Loop): Loop {
    const worker = new Worker(this.options.workerUrl, {
      workerData: {
        ...this.options.init,
        index,
        // Loop 0 alone accepts: it is the only producer of every hand-off ring (single-producer rings).
        listenFd: index === 0 ? this.options.init.listenFd : -1,
        config: this.options.config.snapshot(),
      } satisfies LoopInit,
      trackUnmanagedFds: false,
      // Held as the main thread's young generation is held (young-generation.ts): by default the serving loop's
      // new space grew from 4 to 8 MiB (2.6 to 8 MB resident) under bench/eviction.ts's cap load, and stayed.
      ...youngGeneration(),
      // No execArgv: the thread inherits the main thread's flags, Node's default. Naming them made Worker refuse any
      // V8 or per-process flag (node --max-semi-space-size=4, --perf-basic-prof, --expose-gc: the server would not
      // start), which the default accepts as the process's own.
    });
    const loop: Loop = existing ?? { index, worker, ready: false, exited: false };
    loop.worker = worker;
    loop.ready = false;
    loop.exited = false;
    worker.on('message', (message: FromLoop) => this.onMessage(loop, worker, message));
    worker.on('error', (error) => {
      this.options.logger.error({ err: error, loop: index }, 'hybrid loop thread failed');
      this.readyWaiter?.reject(new Error(`hybrid loop ${index} failed to start: ${error.message}`));
    });
    worker.on('exit', () => this.onExit(loop, worker));
    return loop;
  }

  private onMessage(loop: Loop, worker: Worker, message: FromLoop): void {
    if (loop.worker !== worker) {
      if (message.type === 'config') answerConfigChange(message); // a loop replaced: do not leave it waiting
      return;
    }
    switch (message.type) {
      case 'ready':
        loop.ready = true;
        Atomics.add(this.options.state, LOOPS, 1);
        this.wake(loop); // for anything posted before it was ready
        if (this.loops.length === this.options.size && this.loops.every((l) => l.ready)) {
          // As memcached counts its threads before the first accept: loop 0 accepted as soon as it ran, and a
          // client could be served (PING answered, CONFIG SET made) while another loop was still starting.
          this.send(this.loops[0], { type: 'listen' });
          this.readyWaiter?.resolve();
          this.readyWaiter = null;
        }
        return;
      case 'acceptError': {
        const error: NodeJS.ErrnoException = new Error(message.message);
        error.code = message.code;
        this.acceptErrors.report(error, { connectedClients: this.connected() });
        return;
      }
      case 'config':
        this.relayOrigin = loop.index;
        try {
          this.options.config.apply(message.name, message.value);
          this.broadcast({ type: 'config', name: message.name, value: message.value }, loop.index);
        } finally {
          this.relayOrigin = -1;
          answerConfigChange(message); // in every other loop's port, the generation moved: it may reply
        }
        return;
      case 'kill':
        this.broadcast({ type: 'kill', id: message.id }, loop.index);
        return;
      case 'list':
        this.gather(loop, message.request, message.reply);
        return;
      case 'shutdown':
        return answerShutdownRequest(message, this.options.shutdown);
      case 'exit':
        return this.options.exit?.(message.reason);
      case 'log': {
        const fields = { ...message.fields, loop: loop.index };
        if (message.level === 'error') this.options.logger.error(fields, message.msg);
        else if (message.level === 'warn') this.options.logger.warn(fields, message.msg);
        else if (message.level === 'info') this.options.logger.info(fields, message.msg);
        else this.options.logger.debug(fields, message.msg);
        return;
      }
    }
  }

  /** Asks every other loop for its clients; posts what arrived (all, or what came within the timeout). */
  private gather(asker: Loop, request: number, reply: MessagePort): void {
    const others = this.loops.filter((l) => l !== asker && !l.exited && l.ready);
    const parts: ClientInfo[][] = [];
    const ports: MessagePort[] = [];
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const p of ports) p.close();
      try {
        reply.postMessage(parts.flat());
      } finally {
        reply.close();
      }
      Atomics.store(this.options.state, answeredAt(asker.index), request);
      Atomics.notify(this.options.state, answeredAt(asker.index));
    };
    const timer = setTimeout(finish, GATHER_TIMEOUT_MS);
    if (others.length === 0) return finish();
    for (const loop of others) {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      port1.once('message', (clients: ClientInfo[]) => {
        parts.push(clients);
        if (parts.length === others.length) finish();
      });
      this.send(loop, { type: 'list', reply: port2 }, [port2]);
    }
  }

  private onExit(loop: Loop, worker: Worker): void {
    if (loop.worker !== worker) return;
    const { state, native } = this.options;
    // Out of Pub/Sub first: publishers signal its eventfd under that state's lock, so once this returns none can.
    this.options.diagnostics?.releaseDeadHolder(worker.threadId);
    this.options.pubsub?.releaseEndpoint(loop.index, worker.threadId);
    const wakeFd = Atomics.exchange(state, wakeFdAt(loop.index), -1);
    // The loop leaves its eventfd to us: closed only now, no signal can reach a recycled descriptor number.
    if (wakeFd >= 0) native.closeFd(wakeFd);
    if (loop.ready) Atomics.sub(state, LOOPS, 1);
    loop.ready = false;
    loop.exited = true;
    this.closeClientsOf(loop.index);
    if (this.stopping) return;
    this.options.logger.error({ loop: loop.index }, 'hybrid loop thread exited; starting another');
    this.spawn(loop.index, loop);
  }

  /** A dead loop's clients are ours to close: those it served and those still waiting in its ring. */
  private closeClientsOf(index: number): void {
    const { state, native } = this.options;
    const loops = this.options.size;
    for (let fd = 0; fd < MAX_FD; fd++) {
      if (state[ownerAt(loops, fd)] !== index + 1) continue;
      state[ownerAt(loops, fd)] = 0;
      native.closeFd(fd);
    }
    const tail = Atomics.load(state, ringTailAt(index));
    for (let head = Atomics.load(state, ringHeadAt(index)); head !== tail; head = (head + 1) | 0) {
      native.closeFd(state[ringSlotAt(loops, index, head)]);
    }
    Atomics.store(state, ringHeadAt(index), tail);
    Atomics.store(state, connectedAt(index), 0);
  }

  /** Clients across every loop (from the shared counts). */
  connected(): number {
    let total = 0;
    for (const loop of this.loops) total += Atomics.load(this.options.state, connectedAt(loop.index));
    return total;
  }

  /** Graceful stop: every loop answers what it received and closes its clients within graceMs. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const exits = this.loops.map(
      (loop) =>
        new Promise<void>((resolve) => (loop.exited ? resolve() : loop.worker.once('exit', () => resolve()))),
    );
    for (const loop of this.loops) this.send(loop, { type: 'stop', graceMs });
    // A loop that does not finish in time (a bug, or a command that runs on) is terminated; its epoll_wait
    // returns within a sweep.
    const timer = setTimeout(() => this.terminateRemaining(), graceMs + 2000);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  /**
   * The loops still running are terminated. Such a loop may be inside a command holding store locks, which
   * terminate() never releases (no finally block runs): the store is marked first, so no wait on those locks (the
   * final save's, another loop's) blocks its thread for good (lock-abandonment.ts).
   */
  private terminateRemaining(): void {
    const running = this.loops.filter((loop) => !loop.exited);
    if (running.length === 0) return;
    markLocksAbandoned(this.options.storeControl);
    this.options.logger.warn(
      { loops: running.map((loop) => loop.index) },
      'hybrid loops still running after the close grace: terminated; locks they held are abandoned',
    );
    for (const loop of running) {
      noteStoppedByForce(loop.worker.threadId); // its Pub/Sub and blocking registry holds too (owned-lock.ts)
      void loop.worker.terminate();
    }
  }

  /** The second-signal path: stop at once, dropping what is in flight. */
  abort(): void {
    this.stopping = true;
    for (const loop of this.loops) this.send(loop, { type: 'stop', graceMs: 0 });
  }

  private broadcast(message: ToLoop, except: number): void {
    for (const loop of this.loops) if (loop.index !== except) this.send(loop, message);
    // After the posts: a loop that sees the new generation finds the change in its port.
    if (message.type === 'config') Atomics.add(this.options.state, CONFIG_GENERATION, 1);
  }

  private send(loop: Loop, message: ToLoop, transfer: MessagePort[] = []): void {
    if (loop.exited) return;
    loop.worker.postMessage(message, transfer);
    this.wake(loop);
  }

  private wake(loop: Loop): void {
    const wakeFd = Atomics.load(this.options.state, wakeFdAt(loop.index));
    if (wakeFd >= 0) this.options.native.eventfdSignal(wakeFd);
  }
}
