// The hashes of the keys one thread's writes modified since it last cleared them (watch.ts touchLocked notes each
// where Redis calls signalModifiedKey), for client-side caching to tell which of a command's keys it changed.
// A count over a reused array: clearing is one store, where an array's `length = 0` costs a runtime call on every
// command (session-ab --server-core: ~60 ns a request). Knows nothing of keys or commands.

export class TouchedHashes {
  private readonly hashes: number[] = [];
  /** Hashes noted since the last clear. */
  count = 0;

  note(hash: number): void {
    this.hashes[this.count++] = hash;
  }

  clear(): void {
    this.count = 0;
    this.set = null;
  }

  /** Whether `hash` was noted since the last clear (a set once there are many: an MSET of thousands). */
  has(hash: number): boolean {
    const n = this.count;
    if (n > 16) return this.asSet().has(hash);
    for (let i = 0; i < n; i++) if (this.hashes[i] === hash) return true;
    return false;
  }

  private set: Set<number> | null = null;
  private setCount = -1;

  private asSet(): Set<number> {
    if (this.set === null || this.setCount !== this.count) {
      this.set = new Set(this.hashes.slice(0, this.count));
      this.setCount = this.count;
    }
    return this.set;
  }
}
