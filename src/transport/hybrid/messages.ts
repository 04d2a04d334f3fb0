// The messages between the hybrid transport's main thread and its loop threads, and what a loop starts with.
// A loop spends its time blocked in epoll_wait, not in its Node event loop: every message to it is followed by
// a write to its eventfd (wake), and it drains its port synchronously. Clients never travel as messages: the
// accepting loop hands them over through shared rings (layout.ts). Types only: no behaviour here.

import type { AclHandles } from '../../core/acl/acl-hub.js';
import type { MessagePort } from 'node:worker_threads';
import type { ConfigChange } from '../../core/config-relay.js';
import type { DiagnosticsHandles } from '../../core/diagnostics.js';
import type { PubSubHandles } from '../../core/pubsub/shared-state.js';
import type { ShutdownRequest } from '../../core/shutdown-request.js';

/** workerData: everything a loop needs to build its core. Structured-clonable. */
export interface LoopInit {
  readonly index: number;
  readonly loops: number;
  readonly stateBuffer: SharedArrayBuffer;
  readonly storeHandles: unknown;
  readonly countersBuffer: SharedArrayBuffer | null;
  /** EVAL's script cache (ScriptCache.buffer); null: this thread keeps a cache of its own. */
  readonly scriptsBuffer: SharedArrayBuffer | null;
  /** The function libraries (LibraryRegistry.buffer); null: this thread keeps its own. */
  readonly librariesBuffer: SharedArrayBuffer | null;
  readonly aclHandles: AclHandles | null;
  /** The slow log's handles (ServerDiagnostics.handles()); null: one of the thread's own. */
  readonly diagnosticsHandles: DiagnosticsHandles | null;
  readonly config: Record<string, string>;
  /** `dir` as it was at start-up: where the append-only directory is, whatever CONFIG SET dir did since. */
  readonly aofWorkDir: string | null;
  /** Test hook: ServerOptions.aofFaults (an AofFaultSwitch's buffer); null: the file system as it is. */
  readonly aofFaults: SharedArrayBuffer | null;
  readonly version: string;
  readonly startedAt: number;
  readonly executable: string;
  /** Package root holding the native helper (build/Release/fdutil.node). */
  readonly nativeRoot: string;
  /** The listening socket: loop 0 accepts from it (the main thread owns and closes it); -1 for the others. */
  readonly listenFd: number;
  /** How long a closing client may take to flush and hear the peer's FIN, ms. */
  readonly closeGraceMs: number;
  /** How often the loop looks for idle and lingering clients, ms. */
  readonly idleCheckIntervalMs: number;
  /** Pub/Sub's shared state: this loop is endpoint `index` (its eventfd wakes it for messages too). */
  readonly pubsubHandles: PubSubHandles | null;
  /** INFO's recent client buffer peaks (ClientBufferPeaks.buffer): this loop samples its clients into row `index`. */
  readonly bufferPeaksBuffer: SharedArrayBuffer;
}

export type ToLoop =
  /** A CONFIG SET made on another thread: apply it without validation. */
  | { readonly type: 'config'; readonly name: string; readonly value: string }
  /** CLIENT KILL from another loop: close this client if it is ours. */
  | { readonly type: 'kill'; readonly id: number }
  /** Another loop lists the clients: post ours on `reply`. */
  | { readonly type: 'list'; readonly reply: MessagePort }
  /** Every loop is ready: the accepting loop (0) starts accepting, if it has not already. */
  | { readonly type: 'listen' }
  /** Stop accepting; answer what was received, flush and close every client within graceMs, then exit. */
  | { readonly type: 'stop'; readonly graceMs: number };

export type FromLoop =
  /** The loop is running and its eventfd is published in the shared state. */
  | { readonly type: 'ready' }
  /** CONFIG SET on this loop's client: the loop waits until the main thread has relayed it (config-relay.ts). */
  | ConfigChange
  | { readonly type: 'kill'; readonly id: number }
  /**
   * The loop blocks in CLIENT LIST until answeredAt(loop) reaches `request`: gather the other loops' clients
   * and post them on `reply` (a fresh port per question, so a late answer goes nowhere).
   */
  | { readonly type: 'list'; readonly request: number; readonly reply: MessagePort }
  | { readonly type: 'acceptError'; readonly code: string; readonly message: string }
  /** SHUTDOWN on this loop's client: the loop blocks until the main thread answers (shutdown-request.ts). */
  | ShutdownRequest
  /** A write or sync of the append-only file failed under appendfsync always: stop the server (Redis exits). */
  | { readonly type: 'exit'; readonly reason: string }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Record<string, unknown>;
    };
