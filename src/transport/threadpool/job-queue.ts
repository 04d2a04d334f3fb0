// The producer-consumer job queue's storage: accepted clients waiting, first in first out, on the main thread
// (the only producer and the only one handing jobs out). O(1) push and shift even with thousands waiting.
// Knows nothing of workers or descriptors beyond carrying them.

import type { Job } from './messages.js';

export class JobQueue {
  private items: (Job | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(job: Job): void {
    this.items.push(job);
  }

  shift(): Job | undefined {
    if (this.head >= this.items.length) return undefined;
    const job = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact once the consumed prefix dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }

  /** The waiting jobs, oldest first (a copy). */
  toArray(): Job[] {
    return this.items.slice(this.head) as Job[];
  }

  /** Removes and returns every job for which `take` is true, keeping the others in order. */
  removeWhere(take: (job: Job) => boolean): Job[] {
    const kept: Job[] = [];
    const taken: Job[] = [];
    for (const job of this.toArray()) (take(job) ? taken : kept).push(job);
    this.items = kept;
    this.head = 0;
    return taken;
  }
}
