// The messages between the hybrid transport's main thread and its loop threads, and what a loop starts with.
// A loop spends its time blocked in epoll_wait, not in its Node event loop: every message to it is followed by
// a write to its eventfd (wake), and it drains its port synchronously. Types only: no behaviour here.

import type { MessagePort } from 'node:worker_threads';
import type { ClientInfo } from '../../core/command.js';

/** workerData: everything a loop needs to build its core. Structured-clonable. */
export interface LoopInit {
  readonly index: number;
  readonly loops: number;
  readonly stateBuffer: SharedArrayBuffer;
  readonly storeHandles: unknown;
  readonly countersBuffer: SharedArrayBuffer | null;
  readonly config: Record<string, string>;
  readonly version: string;
  readonly startedAt: number;
  readonly executable: string;
  /** Package root holding the native helper (build/Release/fdutil.node). */
  readonly nativeRoot: string;
  /** How long a closing client may take to flush and hear the peer's FIN, ms. */
  readonly closeGraceMs: number;
  /** How often the loop looks for idle and lingering clients, ms. */
  readonly sweepIntervalMs: number;
}

/** An accepted client: a non-blocking descriptor the loop now owns. */
export interface Handoff {
  readonly fd: number;
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
  /** ms epoch */
  readonly createdAt: number;
}

export type ToLoop =
  | { readonly type: 'client'; readonly client: Handoff }
  /** A CONFIG SET made on another thread: apply it without validation. */
  | { readonly type: 'config'; readonly name: string; readonly value: string }
  /** CLIENT KILL from another loop: close this client if it is ours. */
  | { readonly type: 'kill'; readonly id: number }
  /** Another loop lists the clients: post ours on `reply`. */
  | { readonly type: 'list'; readonly reply: MessagePort }
  /** Close gracefully: answer what was received, flush, close every client within graceMs, then exit. */
  | { readonly type: 'stop'; readonly graceMs: number };

export type FromLoop =
  /** The loop is running; wake it by writing to wakeFd. */
  | { readonly type: 'ready'; readonly wakeFd: number }
  /** A client's descriptor was closed. */
  | { readonly type: 'closed'; readonly fd: number }
  | { readonly type: 'config'; readonly name: string; readonly value: string }
  | { readonly type: 'kill'; readonly id: number }
  /**
   * The loop blocks in CLIENT LIST until answeredAt(loop) reaches `request`: gather the other loops' clients
   * and post them on `reply` (a fresh port per question, so a late answer goes nowhere).
   */
  | { readonly type: 'list'; readonly request: number; readonly reply: MessagePort }
  | { readonly type: 'clients'; readonly clients: ClientInfo[] }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Record<string, unknown>;
    };
