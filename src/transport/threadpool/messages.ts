// The messages the pool's main thread and its workers exchange, and what a worker is started with. Jobs go
// one way, to an idle worker; everything else is a notice, but for the one question a worker asks and waits on
// (which clients are queued). Types only: no behaviour lives here.

import type { AclHandles } from '../../core/acl/acl-hub.js';
import type { MessagePort } from 'node:worker_threads';
import type { ConfigChange } from '../../core/config-relay.js';
import type { DiagnosticsHandles } from '../../core/diagnostics.js';
import type { PubSubHandles } from '../../core/pubsub/shared-state.js';
import type { ShutdownRequest } from '../../core/shutdown-request.js';

/** An accepted client, already a blocking duplicate descriptor the pool now owns. */
export interface Job {
  readonly fd: number;
  readonly clientId: number;
  readonly addr: string;
  readonly laddr: string;
  /** ms epoch */
  readonly createdAt: number;
}

/** A client waiting in the queue, as the main thread tells a worker: it has sent nothing anyone has read. */
export interface QueuedClient {
  readonly id: number;
  /** The descriptor the pool holds for it (CLIENT LIST fd=). */
  readonly fd: number;
  readonly addr: string;
  readonly laddr: string;
  /** ms epoch */
  readonly createdAt: number;
}

/** workerData: everything a worker needs to build its own core. Structured-clonable. */
export interface WorkerInit {
  readonly slot: number;
  readonly slots: number;
  readonly poolBuffer: SharedArrayBuffer;
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
  /** The main thread's script, for INFO executable. */
  readonly executable: string;
  /** Package root holding the native helper (for the worker's lingering close); null: close without it. */
  readonly nativeRoot: string | null;
  /** Pub/Sub's shared state: the worker is endpoint `slot`; null: its clients cannot subscribe across threads. */
  readonly pubsubHandles: PubSubHandles | null;
  /** INFO's recent client buffer peaks (ClientBufferPeaks.buffer), which the main thread's sweep samples. */
  readonly bufferPeaksBuffer: SharedArrayBuffer;
}

export type ToWorker =
  | { readonly type: 'job'; readonly job: Job }
  /** A CONFIG SET made on another thread: apply it without validation. */
  | { readonly type: 'config'; readonly name: string; readonly value: string };

export type FromWorker =
  | { readonly type: 'ready' }
  /** The client left (or was shut down) and its descriptor is closed: give me the next one. */
  | { readonly type: 'idle' }
  /** CONFIG SET on this worker's client: the worker waits until the main thread has relayed it (config-relay.ts). */
  | ConfigChange
  | { readonly type: 'kill'; readonly clientId: number }
  /**
   * The worker blocks until SLOT_ANSWERED reaches `request`: answer at once with a QueuedClient[] on `reply`
   * (transferred, fresh per question, so a late answer to a question given up on goes nowhere).
   */
  | { readonly type: 'queued'; readonly request: number; readonly reply: MessagePort }
  /** SHUTDOWN on this worker's client: the worker blocks until the main thread answers (shutdown-request.ts). */
  | ShutdownRequest
  /** A write or sync of the append-only file failed under appendfsync always: stop the server (Redis exits). */
  | { readonly type: 'exit'; readonly reason: string }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly command?: string;
      readonly error?: { readonly message: string; readonly stack?: string; readonly code?: string };
    };
