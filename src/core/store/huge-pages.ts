// The store's arena mapped by 2 MiB pages, a few at a time from the server cron. Eviction samples keys all over the
// arena, and with 4 KiB pages each sample missed the TLB as well as the cache (a page walk, doubled under a
// hypervisor): at a 64mb cap, five samples cost 0.48-0.59 us with 4 KiB pages, 0.19-0.35 us with 2 MiB ones
// (bench/eviction-cost.ts measures eviction whole). The pages are collapsed after they are written (Linux's
// MADV_COLLAPSE copies them into huge pages), not asked for at fault time: huge pages faulted in while the arena
// grows cost ~5x the system time of 4 KiB ones. Knows the arena's bytes, not what they hold; the calls are the
// native helper's, given by the caller, so the store works without it.

/** The native calls this needs (native/memory.c). */
export interface HugePageCalls {
  /** The first offset in `view` that starts a 2 MiB page of the address space. */
  hugePageOffset(view: Uint8Array): number;
  /** madvise(MADV_COLLAPSE) over whole 2 MiB pages of `view`'s bytes: 0, or the errno. */
  collapseHugePages(view: Uint8Array, offset: number, length: number): number;
}

export const HUGE_PAGE_BYTES = 2 * 1024 * 1024;

/** errno values (Linux): the call is missing (kernel before 6.1, THP set to never) or forbidden, for good. */
const UNSUPPORTED = new Set([1 /* EPERM */, 22 /* EINVAL */, 38 /* ENOSYS */]);
/** errno EAGAIN: a page was busy; the same page is tried again at the next step. */
const EAGAIN = 11;

/** Walks the arena's written bytes from its start, collapsing each whole 2 MiB page once. One per process. */
export class ArenaHugePages {
  /** Offset of the next page to collapse; -1 before the first step (the alignment is not known yet). */
  private next = -1;
  private stopped = false;
  /** Pages collapsed, and pages the kernel had no huge page for (left as they are). */
  collapsed = 0;
  refused = 0;

  constructor(private readonly calls: HugePageCalls) {}

  /** False once the kernel said it cannot collapse (nothing more is tried). */
  get supported(): boolean {
    return !this.stopped;
  }

  /**
   * Collapses up to `pages` more whole pages lying within the first `writtenBytes` of `buffer` (bytes the arena has
   * handed out, so already resident: collapsing them adds no memory). Returns the pages collapsed by this step.
   */
  step(buffer: SharedArrayBuffer, writtenBytes: number, pages: number): number {
    if (this.stopped) return 0;
    const view = new Uint8Array(buffer, 0, Math.min(writtenBytes, buffer.byteLength));
    if (this.next < 0) this.next = this.calls.hugePageOffset(view);
    let done = 0;
    while (done < pages && this.next + HUGE_PAGE_BYTES <= view.length) {
      const error = this.calls.collapseHugePages(view, this.next, HUGE_PAGE_BYTES);
      if (UNSUPPORTED.has(error)) {
        this.stopped = true;
        return done;
      }
      if (error === EAGAIN) return done;
      this.next += HUGE_PAGE_BYTES;
      if (error !== 0) {
        // No huge page to be had now (ENOMEM): compaction is not forced again until the next step.
        this.refused++;
        return done;
      }
      this.collapsed++;
      done++;
    }
    return done;
  }
}
