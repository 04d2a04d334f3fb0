// Worker side of the one question a worker asks the main thread and waits on: which clients are waiting in the
// queue (CLIENT LIST, CLIENT KILL; the queue lives on the main thread only). Inside a command the worker cannot
// return to its event loop, so it posts the question with a fresh reply port and blocks on its slot's answer
// cell; the main thread only accepts, so it answers at once (WorkerPool, on a 'queued' message). Worker code
// only. Knows the message shapes and PoolState; nothing of sessions or commands.

import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { FromWorker, QueuedClient } from './messages.js';
import type { PoolState } from './shared-state.js';

/** How long a command may wait for the main thread before it answers without the queued clients. */
export const QUEUED_ANSWER_TIMEOUT_MS = 1000;

export type PostToMain = (message: FromWorker, transfer: readonly MessagePort[]) => void;

export class QueuedClientsQuery {
  /** Numbers this worker's questions; starts from the cell so a replacement thread's first one is new. */
  private requests: number;

  constructor(
    private readonly state: PoolState,
    private readonly slot: number,
    private readonly post: PostToMain,
  ) {
    this.requests = state.answered(slot);
  }

  /**
   * The clients waiting in the queue, oldest first; null when the main thread did not answer within
   * `timeoutMs` (it never blocks, so only an overloaded process gets there): the caller then lists the clients
   * being served only, as a partial CLIENT LIST beats a command that hangs.
   */
  fetch(timeoutMs: number = QUEUED_ANSWER_TIMEOUT_MS): QueuedClient[] | null {
    // Int32, as the cell holds it: after 2^31 questions it wraps where the cell does.
    const request = (this.requests = (this.requests + 1) | 0);
    const { port1, port2 } = new MessageChannel();
    try {
      this.post({ type: 'queued', request, reply: port2 }, [port2]);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // The answer is posted before the cell is set, and a post lands in our port's queue synchronously.
        const received = receiveMessageOnPort(port1);
        if (received !== undefined) return received.message as QueuedClient[];
        const left = deadline - Date.now();
        if (left <= 0) return null;
        const seen = this.state.answered(this.slot);
        // Marked answered yet nothing received (should not happen): poll briefly rather than spin.
        this.state.waitForAnswer(this.slot, seen, seen === request ? 1 : left);
      }
    } finally {
      // Also closes port2: an answer that comes after we gave up is dropped, never read as the next one's.
      port1.close();
    }
  }
}
