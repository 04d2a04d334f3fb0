// A pool worker's memory policy for outsized clients (a 300 MiB bulk announced and abandoned, a request of
// 10,001 arguments, a 100 KB inline line). Between clients a worker allocates nothing, so its garbage collector
// never runs: a dead query buffer would stay until the worker's next busy client, and glibc keeps what each
// thread freed in that thread's arena. With one thread per worker that multiplied: 16 workers grew from 282 MB
// to 1 GB under a storm of such clients and kept it (bench/results/pool-bad-input.md). So a large query
// buffer is freed the moment the session lets go of it, and once a client that needed one has left, the
// worker runs a full GC and malloc_trim (rate-limited: the trim walks every arena). Knows buffers and the
// native calls only.

import { freeOwnedBuffer } from '../free-buffer.js';
import type { NativeMemory } from './native-addon.js';

export { RELEASE_MIN_BYTES } from '../free-buffer.js';
/** At most one trim per worker in this long; a client that ends sooner has its trim done when it is up. */
export const TRIM_INTERVAL_MS = 1000;

export interface MemoryGiveBackOptions {
  /** Null where the helper lacks the calls: buffers are then left to the GC and nothing is trimmed. */
  readonly native: NativeMemory | null;
  /** A full GC of this thread's heap (collect-garbage.ts), run before each trim; absent: none. */
  readonly collectGarbage?: (() => void) | null;
  /** Counted in the pool's shared figures (INFO pool_buffers_released / pool_memory_trims). */
  onReleased(): void;
  onTrimmed(): void;
  readonly clock?: () => number;
  readonly schedule?: (run: () => void, ms: number) => void;
}

export class MemoryGiveBack {
  private readonly clock: () => number;
  private readonly schedule: (run: () => void, ms: number) => void;
  /** A buffer was released since the last trim: a trim has memory to give back. */
  private outsized = false;
  private lastTrim = Number.NEGATIVE_INFINITY;
  private trimPending = false;

  constructor(private readonly options: MemoryGiveBackOptions) {
    this.clock = options.clock ?? Date.now;
    this.schedule =
      options.schedule ??
      ((run, ms) => {
        setTimeout(run, ms).unref();
      });
  }

  /** The session let go of `buffer`: freed now if it is large and owns its memory (free-buffer.ts). */
  release(buffer: Buffer): void {
    const native = this.options.native;
    if (native === null || !freeOwnedBuffer(native, buffer)) return;
    this.outsized = true;
    this.options.onReleased();
  }

  /** The worker finished a client: give back to the system what an outsized one left in malloc's arenas. */
  clientEnded(): void {
    if (!this.outsized || this.trimPending) return;
    const wait = this.lastTrim + TRIM_INTERVAL_MS - this.clock();
    if (wait <= 0) return this.trim();
    this.trimPending = true;
    this.schedule(() => {
      this.trimPending = false;
      this.trim();
    }, wait);
  }

  private trim(): void {
    const native = this.options.native;
    if (native === null) return;
    this.outsized = false;
    this.lastTrim = this.clock();
    // Collect first: what the collector frees goes back to malloc, which the trim then returns to the system.
    this.options.collectGarbage?.();
    native.trimMemory();
    this.options.onTrimmed();
  }
}
