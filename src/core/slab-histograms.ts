// One thread's latency histograms (INFO latencystats), one per command it has run, in shared memory so INFO on
// any thread can add every thread's up: only this thread writes them (plain Float64 adds, as its slab's
// counters), the reader sums. Made on a command's first run, as Redis allocates a command's histogram on its
// first call. CONFIG RESETSTAT cannot clear another thread's memory: it bumps a generation, and a thread that
// sees a new one clears its own histograms before it records again (readers skip it until then).
// Knows the histogram's arithmetic (hdr-histogram.ts) and nothing of where in the buffer things are: the
// counters give it its directory (slot -> histogram number + 1) and a way to claim a histogram.

import { histogramIndex } from './hdr-histogram.js';

export interface HistogramStorage {
  /** The slot's directory entry: its histogram's number + 1, 0 for none. */
  directory(slot: number): number;
  setDirectory(slot: number, entry: number): void;
  /** A zeroed histogram of this thread's; null when the buffer has no room left for one. */
  claim(): { number: number; counts: Float64Array } | null;
  /** This thread's histograms hold nothing from before RESETSTAT generation `generation`. */
  cleared(generation: number): void;
}

export class SlabHistograms {
  /** By slot: this thread's histogram (undefined: not claimed yet; null: none could be had). Dense: fast reads. */
  private readonly counts: (Float64Array | null | undefined)[];
  private generation = 0;

  constructor(
    private readonly storage: HistogramStorage,
    slots: number,
  ) {
    this.counts = new Array<Float64Array | null | undefined>(slots).fill(undefined);
  }

  /** A run of the command at `slot` took `nanoseconds`; `generation` is RESETSTAT's count now. */
  record(slot: number, nanoseconds: number, generation: number): void {
    if (generation !== this.generation) this.clear(generation);
    let counts = this.counts[slot];
    if (counts === undefined) counts = this.claim(slot);
    if (counts !== null) counts[histogramIndex(nanoseconds)] += 1;
  }

  private claim(slot: number): Float64Array | null {
    const claimed = this.storage.claim();
    this.counts[slot] = claimed?.counts ?? null;
    if (claimed !== null) this.storage.setDirectory(slot, claimed.number + 1);
    return claimed?.counts ?? null;
  }

  private clear(generation: number): void {
    for (const counts of this.counts) counts?.fill(0);
    this.generation = generation;
    this.storage.cleared(generation);
  }
}
