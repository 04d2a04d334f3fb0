// INFO's server-wide counters, in one SharedArrayBuffer every thread of a server attaches to (the pool's and the
// hybrid's worker threads get `buffer` and call attach), so commands counted on any thread add to one total:
// INFO stats, commandstats and errorstats, CONFIG RESETSTAT's baselines, and DEBUG SET-ACTIVE-EXPIRE's switch.
// No lock anywhere. Per-command figures, counted on every command, go to a slab of the thread's own that only it
// writes (plain Float64 adds, ~1 ns, against ~10 ns for an uncontended Atomics.add: bench/core-throughput.ts);
// readers sum every slab. Keyspace hits and misses, counted by every GET, are in the slab too: on a shared word
// two hybrid loops' GETs passed its cache line back and forth. Rarer counts (errors) use Atomics.add on shared
// words, as do threads past SLAB_CAPACITY for everything.
// Knows nothing of commands beyond their slot numbers (CommandTable.slotOf) nor of transports.

import { randomFillSync } from 'node:crypto';
import type { CommandSlotStats, ServerCounters, StatTotals } from './command.js';
import { HISTOGRAM_COUNTS } from './hdr-histogram.js';
import { SlabHistograms } from './slab-histograms.js';

/** What the transports moved, summed over every thread since the last RESETSTAT. */
export interface TrafficTotals {
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly reads: number;
  readonly writes: number;
}

/** INFO stats expired_stale_perc (a share, 0 to 1), expired_time_cap_reached_count, expire_cycle_cpu_milliseconds. */
export interface ExpireCycleStats {
  readonly staleShare: number;
  readonly capReachedCount: number;
  readonly milliseconds: number;
}

/** Redis's instantaneous metrics: each the mean of the last 16 samples, per second. */
export interface InstantaneousRates {
  readonly opsPerSec: number;
  readonly inputBytesPerSec: number;
  readonly outputBytesPerSec: number;
}

// ---- Layout. Int32 words of the header, then byte regions, each 64-byte aligned. ----
// 64-bit counts shared by threads are pairs of Uint32 words, low word first (Atomics.add on a Uint32 returns a
// plain number: nothing allocated, unlike BigInt64).
const HITS = 0;
const MISSES = 2;
const ERROR_REPLIES = 4;
/** Slabs handed out so far (Atomics.add); threads past SLAB_CAPACITY share the atomic overflow slab. */
const SLABS_CLAIMED = 6;
/** Command slots per slab, fixed at creation (attach reads it). */
const COMMAND_SLOTS = 7;
/** DEBUG SET-ACTIVE-EXPIRE: 1 while the active expiry cycle is off. */
const ACTIVE_EXPIRE_OFF = 8;
/** Words 9..15 of the header: the RDB persistence state every thread shares (rdb/persistence-state.ts). */
export const PERSISTENCE_WORDS = 9;
/** latency-tracking: 1 while it is off (set by the thread that runs its CONFIG SET, read by every command). */
const LATENCY_TRACKING_OFF = 16;
/** RESETSTAT's count: a thread whose histograms were recorded under an older one clears them first. */
const LATENCY_GENERATION = 17;
/** Latency histograms handed out so far (Atomics.add), past the slabs. */
const HISTOGRAMS_CLAIMED = 18;
/** RESETSTAT's count for the instantaneous rates: the sampler starts its rings again when it changes. */
const RATES_GENERATION = 19;
/** Bytes 80..99 of the header: INFO master_replid, 20 random bytes drawn as the server starts (every thread's). */
const REPLID_BYTE = 80;
const REPLID_BYTES = 20;
const HEADER_BYTES = 128;

/** RESETSTAT's baselines of figures counted elsewhere (transport, store): three Float64s. */
const BASELINES = HEADER_BYTES;
const BASE_CONNECTIONS = 0;
const BASE_REJECTED = 1;
const BASE_EXPIRED = 2;
const BASE_EVICTED = 3;
/** Float64 slots 4..7 of the baselines region (byte offset here): the RDB persistence state's counts. */
export const PERSISTENCE_FLOATS_BYTE = BASELINES + 4 * 8;

/**
 * Error prefixes (errorstats), registered once by whichever thread replies one first: per slot a state word
 * (0 free, 1 being written, 2 ready), the name's length, its count (a Uint32 pair) and up to 31 name bytes, as
 * Redis takes the code before the first space among an error's first 32 bytes (its leading '-' included).
 */
const ERRORS = BASELINES + 64;
const ERROR_SLOTS = 128;
const ERROR_SLOT_INTS = 12;
const E_STATE = 0;
const E_LENGTH = 1;
const E_COUNT = 2;
const E_NAME = 4; // 8 ints: 32 bytes
const NAME_MAX = 31;

/**
 * 128 bytes after the error prefixes: the start-up load's progress and the saves' counts (rdb/persistence-state.ts;
 * INFO persistence).
 */
export const LOADING_BYTE = Math.ceil((ERRORS + ERROR_SLOTS * ERROR_SLOT_INTS * 4) / 64) * 64;
/** The least buffer PersistenceState reads (a server without shared counters makes one of this size). */
export const PERSISTENCE_STATE_BYTES = LOADING_BYTE + 128;
/**
 * What the main thread's timers publish for INFO on any thread (Float64s): the instantaneous rates its sampler
 * computes every 100 ms (instantaneous-metrics.ts: commands, input and output bytes per second, each the mean of
 * its last 16 samples), then the active expiry's figures (serverCron's activeExpireCycle).
 */
const CRON_BYTE = PERSISTENCE_STATE_BYTES;
const CRON_FLOATS = 8;
const C_OPS = 0;
const C_INPUT = 1;
const C_OUTPUT = 2;
const C_STALE_PERC = 3;
const C_CAP_REACHED = 4;
const C_EXPIRE_MS = 5;

/**
 * Per command slot in a slab: calls, microseconds, rejected_calls, failed_calls (Float64s), and the number + 1 of
 * the thread's latency histogram for the command (0: none yet).
 */
const FIELDS = 5;
const F_CALLS = 0;
const F_USEC = 1;
const F_REJECTED = 2;
const F_FAILED = 3;
const F_HISTOGRAM = 4;

/** Threads that get a slab of their own; more (restarted workers) count atomically in the overflow slab. */
const SLAB_CAPACITY = 1024;
/** Latency histograms (24 KiB each) the buffer can hold, one per thread and command recorded. */
const HISTOGRAM_CAPACITY = 4096;
const HISTOGRAM_BYTES = HISTOGRAM_COUNTS * 8;
const DEFAULT_COMMAND_SLOTS = 256;

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/**
 * A slab's last 128 bytes. First its thread's write fence, a count bumped as the thread starts and ends a write
 * command that the append-only file will not log (odd while one runs). Turning appendonly on waits until every
 * write that began while it was off has ended before the rewrite takes its snapshot (aof/rewrite-scheduler.ts).
 * The overflow slab's fence counts the writes in flight of every thread without a slab (Atomics.add).
 * After the fence, Float64s at TALLY_BYTE written by the thread alone: its keyspace hits and misses, the bytes
 * it read from and wrote to clients, its read and write calls (INFO stats); the baseline slab keeps RESETSTAT's
 * baselines of their sums in the same place. The overflow slab has them as Uint32 pairs (Atomics.add). The last
 * tally is the thread's count of changes to the data set (server.dirty), which RESETSTAT leaves alone. Then the
 * RESETSTAT generation the thread's latency histograms were cleared for (an Int32 at HISTOGRAM_GENERATION_BYTE).
 */
const FENCE_LINE = 128;
const TALLY_BYTE = 8;
const TALLIES = 9;
/** The tallies that are counts (summed, with RESETSTAT baselines); the last one is a time, not summed. */
const COUNTED_TALLIES = 7;
const L_HITS = 0;
const L_MISSES = 1;
const T_NET_INPUT = 2;
const T_NET_OUTPUT = 3;
const T_READS = 4;
const T_WRITES = 5;
/** Milliseconds the thread found memory over maxmemory after evicting (evict.c's eviction exceeded time)... */
const T_EXCEEDED_MS = 6;
/** ... and since when (Date.now(), comparable across threads) it has been, 0 while it is not. */
const T_EXCEEDED_SINCE = 7;
/** server.dirty: the changes the thread's commands made to the data set (never reset by RESETSTAT). */
const T_CHANGES = 8;
const HISTOGRAM_GENERATION_BYTE = 120;

/** Where each region starts, for a buffer with `slots` command slots. */
function regions(slots: number) {
  // Each slab ends with a line for its thread's write fence (below), on a line of its own.
  const slabBytes = align64(slots * FIELDS * 8) + FENCE_LINE;
  const baselineSlab = CRON_BYTE + CRON_FLOATS * 8;
  // The overflow slab holds nanoseconds as integers in Uint32 pairs (Atomics.add), so twice a slab's words.
  const overflow = baselineSlab + slabBytes;
  const firstSlab = overflow + slabBytes;
  // The latency histograms come after room for every slab: the buffer grows into them as threads claim them.
  const firstHistogram = firstSlab + SLAB_CAPACITY * slabBytes;
  return { slabBytes, baselineSlab, overflow, firstSlab, firstHistogram };
}

/** The safe form of a name in INFO (server.c getSafeInfoString): '#', ':', CR and LF become '_'. */
export function safeInfoName(name: string): string {
  return name.replace(/[#:\r\n]/g, '_');
}

/**
 * The errorstats prefix of an error reply (networking.c afterErrorReply): the code before the first space when
 * that space is among the first 32 bytes of the reply with its leading '-' (so the code has at most 30
 * characters), else "ERR".
 */
export function errorPrefix(message: string): string {
  const space = message.indexOf(' ');
  return space >= 0 && space < NAME_MAX ? message.slice(0, space) : 'ERR';
}

export class SharedServerCounters implements ServerCounters {
  private readonly words: Int32Array;
  private readonly floats: Float64Array;
  private readonly slots: number;
  private readonly layout: ReturnType<typeof regions>;
  /** This thread's slab, fixed-length (a length-tracking view of a growable buffer reads far slower). */
  private readonly own: Float64Array | null;
  /** The overflow slab's words, for a thread without a slab of its own. */
  private readonly overflow: Uint32Array;
  /** This thread's keyspace hits and misses and its traffic (its slab's tail); null: counted on shared words. */
  private readonly tally: Float64Array | null;
  /** The overflow slab's tallies (Uint32 pairs), for a thread without a slab of its own. */
  private readonly overflowTally: Uint32Array;
  /** This thread's latency histograms; null without a slab of its own (not recorded). */
  private readonly histograms: SlabHistograms | null;
  /** This thread's write fence (its slab's last line, or the overflow slab's shared count). */
  private readonly fence: Int32Array;
  private readonly fenceShared: boolean;
  private fenceCount = 0;
  /** Error prefix -> registry slot, as this thread has looked them up. */
  private readonly errorSlots = new Map<string, number>();

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.slots = Atomics.load(this.words, COMMAND_SLOTS);
    this.layout = regions(this.slots);
    this.floats = new Float64Array(buffer, BASELINES, 4);
    this.overflow = new Uint32Array(buffer, this.layout.overflow, this.layout.slabBytes / 4);
    this.own = this.claimSlab();
    this.fenceShared = this.own === null;
    this.fence = this.fenceOf(this.own === null ? -1 : this.own.byteOffset);
    this.tally = this.own === null ? null : this.tallyOf(this.own.byteOffset);
    this.overflowTally = new Uint32Array(
      this.buffer,
      this.layout.overflow + this.layout.slabBytes - FENCE_LINE + TALLY_BYTE,
      TALLIES * 2,
    );
    this.histograms = this.own === null ? null : this.histogramsOf(this.own);
  }

  /** The tallies (hits, misses, traffic) of the slab at `slabOffset` (the baseline slab: their baselines). */
  private tallyOf(slabOffset: number): Float64Array {
    return new Float64Array(
      this.buffer,
      slabOffset + this.layout.slabBytes - FENCE_LINE + TALLY_BYTE,
      TALLIES,
    );
  }

  /** The RESETSTAT generation the histograms of the slab at `slabOffset` were cleared for. */
  private histogramGenerationOf(slabOffset: number): Int32Array {
    const at = slabOffset + this.layout.slabBytes - FENCE_LINE + HISTOGRAM_GENERATION_BYTE;
    return new Int32Array(this.buffer, at, 1);
  }

  private histogramsOf(own: Float64Array): SlabHistograms {
    const generation = this.histogramGenerationOf(own.byteOffset);
    return new SlabHistograms(
      {
        directory: (slot) => own[slot * FIELDS + F_HISTOGRAM],
        setDirectory: (slot, entry) => (own[slot * FIELDS + F_HISTOGRAM] = entry),
        claim: () => this.claimHistogram(),
        cleared: (gen) => Atomics.store(generation, 0, gen),
      },
      this.slots,
    );
  }

  /** The fence of the slab at `slabOffset` (-1: the overflow slab's). */
  private fenceOf(slabOffset: number): Int32Array {
    const start = slabOffset < 0 ? this.layout.overflow : slabOffset;
    return new Int32Array(this.buffer, start + this.layout.slabBytes - FENCE_LINE, 1);
  }

  /** `commandSlots`: how many commands and subcommands the command table has (CommandTable.slots). */
  static create(options: { commandSlots?: number } = {}): SharedServerCounters {
    const slots = options.commandSlots ?? DEFAULT_COMMAND_SLOTS;
    const { firstSlab, slabBytes } = regions(slots);
    const { firstHistogram } = regions(slots);
    const buffer = new SharedArrayBuffer(firstSlab + slabBytes, {
      maxByteLength: firstHistogram + HISTOGRAM_CAPACITY * HISTOGRAM_BYTES,
    });
    new Int32Array(buffer)[COMMAND_SLOTS] = slots;
    randomFillSync(new Uint8Array(buffer, REPLID_BYTE, REPLID_BYTES));
    return new SharedServerCounters(buffer);
  }

  /** The same counters, in another thread. Each attach takes a slab: attach once per thread. */
  static attach(buffer: SharedArrayBuffer): SharedServerCounters {
    return new SharedServerCounters(buffer);
  }

  /** A slab only this thread writes, growing the buffer for it; null when every slab is taken. */
  private claimSlab(): Float64Array | null {
    const slab = Atomics.add(this.words, SLABS_CLAIMED, 1);
    if (slab >= SLAB_CAPACITY) return null;
    const { firstSlab, slabBytes } = this.layout;
    // Room for as many again, so a pool of N workers grows the buffer a few times, not N.
    this.growTo(
      firstSlab + (slab + 1) * slabBytes,
      firstSlab + Math.min(SLAB_CAPACITY, (slab + 1) * 2) * slabBytes,
    );
    return new Float64Array(this.buffer, firstSlab + slab * slabBytes, this.slots * FIELDS);
  }

  /** A latency histogram of this thread's (zeroed: never handed out before); null when all are taken. */
  private claimHistogram(): { number: number; counts: Float64Array } | null {
    const number = Atomics.add(this.words, HISTOGRAMS_CLAIMED, 1);
    if (number >= HISTOGRAM_CAPACITY) return null;
    const start = this.layout.firstHistogram + number * HISTOGRAM_BYTES;
    this.growTo(start + HISTOGRAM_BYTES, start + 16 * HISTOGRAM_BYTES);
    return { number, counts: new Float64Array(this.buffer, start, HISTOGRAM_COUNTS) };
  }

  /** Grows the buffer to at least `needed` bytes (to `wanted` if it can), whichever thread grows it. */
  private growTo(needed: number, wanted: number): void {
    while (this.buffer.byteLength < needed) {
      try {
        this.buffer.grow(Math.min(Math.max(needed, wanted), this.buffer.maxByteLength));
      } catch {
        // Another thread grew it meanwhile (a shrinking grow throws): look again.
      }
    }
  }

  // ---- Counting (any thread) ----

  commandCalled(slot: number, microseconds: number, failed: boolean): void {
    if (slot < 0 || slot >= this.slots) return;
    const own = this.own;
    const at = slot * FIELDS;
    if (own !== null) {
      own[at + F_CALLS] += 1;
      own[at + F_USEC] += microseconds;
      if (failed) own[at + F_FAILED] += 1;
      // latency-tracking (one read of a shared word); the histogram takes nanoseconds, as Redis's call() gives it.
      if (this.words[LATENCY_TRACKING_OFF] === 0) {
        this.histograms!.record(slot, microseconds * 1000, this.words[LATENCY_GENERATION]);
      }
      return;
    }
    this.addOverflow(at + F_CALLS, 1);
    this.addOverflow(at + F_USEC, Math.round(microseconds * 1000)); // nanoseconds, as an integer
    if (failed) this.addOverflow(at + F_FAILED, 1);
  }

  commandRejected(slot: number): void {
    if (slot < 0 || slot >= this.slots) return;
    if (this.own !== null) this.own[slot * FIELDS + F_REJECTED] += 1;
    else this.addOverflow(slot * FIELDS + F_REJECTED, 1);
  }

  errorReplied(message: string): void {
    this.add(this.words, ERROR_REPLIES, 1);
    const prefix = errorPrefix(message);
    let slot = this.errorSlots.get(prefix);
    if (slot === undefined) {
      slot = this.registerError(prefix);
      if (slot < 0) return; // every slot taken by other prefixes: counted in total_error_replies only
      this.errorSlots.set(prefix, slot);
    }
    this.add(this.registry(), slot * ERROR_SLOT_INTS + E_COUNT, 1);
  }

  /** This thread's changes so far, for call() to tell whether a command changed anything (any slab or none). */
  changesHere = 0;

  dataChanged(changes: number): void {
    this.changesHere += changes;
    const tally = this.tally;
    if (tally !== null) tally[T_CHANGES] += changes;
    else this.add(this.overflowTally, T_CHANGES * 2, changes);
  }

  changesMade(): number {
    return this.read(this.overflowTally, T_CHANGES * 2) + this.sumTally(T_CHANGES);
  }

  keyLookup(found: boolean): void {
    const tally = this.tally;
    if (tally !== null) tally[found ? L_HITS : L_MISSES] += 1;
    else this.add(this.words, found ? HITS : MISSES, 1);
  }

  keyLookups(hits: number, misses: number): void {
    const tally = this.tally;
    if (tally !== null) {
      tally[L_HITS] += hits;
      tally[L_MISSES] += misses;
      return;
    }
    if (hits > 0) this.add(this.words, HITS, hits);
    if (misses > 0) this.add(this.words, MISSES, misses);
  }

  // ---- Write fences (the append-only file's turn-on, aof/rewrite-scheduler.ts) ----

  /** This thread starts a write command the append-only file will not log. */
  enterUnloggedWrite(): void {
    if (this.fenceShared) Atomics.add(this.fence, 0, 1);
    else Atomics.store(this.fence, 0, ++this.fenceCount);
  }

  /** ... and it ended. */
  leaveUnloggedWrite(): void {
    if (this.fenceShared) Atomics.sub(this.fence, 0, 1);
    else Atomics.store(this.fence, 0, ++this.fenceCount);
  }

  /**
   * A check that turns true once every unlogged write running now (on any thread) has ended: a fence seen odd
   * must move on, the overflow count must be seen at 0.
   */
  unloggedWritesEnded(): () => boolean {
    const claimed = Math.min(Atomics.load(this.words, SLABS_CLAIMED), SLAB_CAPACITY);
    const pending: { fence: Int32Array; seen: number }[] = [];
    for (let slab = 0; slab < claimed; slab++) {
      const offset = this.layout.firstSlab + slab * this.layout.slabBytes;
      if (offset + this.layout.slabBytes > this.buffer.byteLength) continue; // being grown: no write yet
      const fence = this.fenceOf(offset);
      const seen = Atomics.load(fence, 0);
      if (seen % 2 === 1) pending.push({ fence, seen });
    }
    const overflow = this.fenceOf(-1);
    let overflowDone = false;
    return () => {
      overflowDone ||= Atomics.load(overflow, 0) === 0;
      for (let i = pending.length - 1; i >= 0; i--) {
        if (Atomics.load(pending[i].fence, 0) !== pending[i].seen) pending.splice(i, 1);
      }
      return overflowDone && pending.length === 0;
    };
  }

  // ---- Reading (INFO) ----

  commandStats(): CommandSlotStats[] {
    const sums = this.sums();
    const base = new Float64Array(this.buffer, this.layout.baselineSlab, this.slots * FIELDS);
    const out: CommandSlotStats[] = [];
    for (let slot = 0; slot < this.slots; slot++) {
      const at = slot * FIELDS;
      const field = (f: number): number => Math.max(0, sums[at + f] - base[at + f]);
      out.push({
        calls: field(F_CALLS),
        usec: field(F_USEC),
        rejectedCalls: field(F_REJECTED),
        failedCalls: field(F_FAILED),
      });
    }
    return out;
  }

  commandsProcessed(): number {
    let calls = 0;
    for (const s of this.commandStats()) calls += s.calls;
    return calls;
  }

  /** [prefix, count] of every error replied since the last reset, in Redis's order (its rax: by bytes). */
  errorStats(): [string, number][] {
    const registry = this.registry();
    const out: [string, number][] = [];
    for (let slot = 0; slot < ERROR_SLOTS; slot++) {
      if (Atomics.load(registry, slot * ERROR_SLOT_INTS + E_STATE) !== 2) continue;
      const count = this.read(registry, slot * ERROR_SLOT_INTS + E_COUNT);
      if (count > 0) out.push([this.errorName(slot), count]);
    }
    return out.sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
  }

  totalErrorReplies(): number {
    return this.read(this.words, ERROR_REPLIES);
  }

  keyspaceHits(): number {
    return this.read(this.words, HITS) + this.slabTally(L_HITS);
  }

  keyspaceMisses(): number {
    return this.read(this.words, MISSES) + this.slabTally(L_MISSES);
  }

  /** INFO stats total_net_input_bytes, total_net_output_bytes, total_reads_processed, total_writes_processed. */
  traffic(): TrafficTotals {
    const total = (field: number): number => this.read(this.overflowTally, field * 2) + this.slabTally(field);
    return {
      inputBytes: total(T_NET_INPUT),
      outputBytes: total(T_NET_OUTPUT),
      reads: total(T_READS),
      writes: total(T_WRITES),
    };
  }

  /** Field `field` of every slab's tallies added up, less its RESETSTAT baseline. */
  private slabTally(field: number): number {
    return Math.max(0, this.sumTally(field) - this.tallyOf(this.layout.baselineSlab)[field]);
  }

  private sumTally(field: number): number {
    let sum = 0;
    for (const offset of this.slabOffsets()) sum += this.tallyOf(offset)[field];
    return sum;
  }

  /** Where each slab claimed so far starts (one being grown for its thread has nothing in it yet: left out). */
  private slabOffsets(): number[] {
    const { firstSlab, slabBytes } = this.layout;
    const claimed = Math.min(Atomics.load(this.words, SLABS_CLAIMED), SLAB_CAPACITY);
    const offsets: number[] = [];
    for (let slab = 0; slab < claimed; slab++) {
      const offset = firstSlab + slab * slabBytes;
      if (offset + slabBytes > this.buffer.byteLength) break;
      offsets.push(offset);
    }
    return offsets;
  }

  // ---- Traffic (the transports, where they read from and write to clients) ----

  /** One read(2) of a client's socket that returned `bytes` (0: end of input), as readQueryFromClient counts. */
  bytesRead(bytes: number): void {
    const tally = this.tally;
    if (tally !== null) {
      tally[T_NET_INPUT] += bytes;
      tally[T_READS] += 1;
      return;
    }
    if (bytes > 0) this.add(this.overflowTally, T_NET_INPUT * 2, bytes);
    this.add(this.overflowTally, T_READS * 2, 1);
  }

  /** One write of replies to a client that handed `bytes` to the kernel (writeToClient). */
  bytesWritten(bytes: number): void {
    const tally = this.tally;
    if (tally !== null) {
      tally[T_NET_OUTPUT] += bytes;
      tally[T_WRITES] += 1;
      return;
    }
    if (bytes > 0) this.add(this.overflowTally, T_NET_OUTPUT * 2, bytes);
    this.add(this.overflowTally, T_WRITES * 2, 1);
  }

  // ---- Eviction exceeded time (the maxmemory check before each command) ----

  /**
   * The maxmemory check before a command left memory over the limit (`over`: its eviction ran out of time or found
   * nothing to evict) or not: performEvictions's update_metrics. A thread without a slab does not count it.
   */
  memoryChecked(over: boolean): void {
    const tally = this.tally;
    if (tally === null) return;
    const since = tally[T_EXCEEDED_SINCE];
    if (over) {
      if (since === 0) tally[T_EXCEEDED_SINCE] = Date.now();
    } else if (since !== 0) {
      tally[T_EXCEEDED_MS] += Date.now() - since;
      tally[T_EXCEEDED_SINCE] = 0;
    }
  }

  /** INFO total_eviction_exceeded_time and current_eviction_exceeded_time (ms), over every thread. */
  evictionExceeded(now: number = Date.now()): { total: number; current: number } {
    let current = 0;
    let running = 0;
    for (const offset of this.slabOffsets()) {
      const since = this.tallyOf(offset)[T_EXCEEDED_SINCE];
      if (since === 0) continue;
      running += Math.max(0, now - since);
      current = Math.max(current, now - since);
    }
    return { total: this.slabTally(T_EXCEEDED_MS) + running, current };
  }

  // ---- Instantaneous rates (instantaneous-metrics.ts samples on the main thread, INFO reads on any) ----

  publishRates(rates: InstantaneousRates): void {
    const published = this.cron();
    published[C_OPS] = rates.opsPerSec;
    published[C_INPUT] = rates.inputBytesPerSec;
    published[C_OUTPUT] = rates.outputBytesPerSec;
  }

  instantaneousRates(): InstantaneousRates {
    const published = this.cron();
    return {
      opsPerSec: published[C_OPS],
      inputBytesPerSec: published[C_INPUT],
      outputBytesPerSec: published[C_OUTPUT],
    };
  }

  // ---- The active expiry's figures (serverCron's thread writes, INFO reads) ----

  /**
   * One run of the active expiry: activeExpireCycle's running estimate of the share of expired keys among those
   * with a TTL (current share * 0.05 + the estimate * 0.95, when it saw any), its count of cycles that hit their
   * limit, and the time spent in them.
   */
  expireCycleRan(sampled: number, expired: number, capReached: boolean, milliseconds: number): void {
    const cron = this.cron();
    if (sampled > 0) cron[C_STALE_PERC] = (expired / sampled) * 0.05 + cron[C_STALE_PERC] * 0.95;
    if (capReached) cron[C_CAP_REACHED] += 1;
    cron[C_EXPIRE_MS] += milliseconds;
  }

  expireCycleStats(): ExpireCycleStats {
    const cron = this.cron();
    return {
      staleShare: cron[C_STALE_PERC],
      capReachedCount: cron[C_CAP_REACHED],
      milliseconds: cron[C_EXPIRE_MS],
    };
  }

  /** Bumped by RESETSTAT: the sampler starts its rings again when it sees a new value. */
  ratesGeneration(): number {
    return Atomics.load(this.words, RATES_GENERATION);
  }

  private cron(): Float64Array {
    return new Float64Array(this.buffer, CRON_BYTE, CRON_FLOATS);
  }

  // ---- Latency tracking (INFO latencystats) ----

  /** CONFIG SET latency-tracking, for every thread at once. */
  setLatencyTracking(enabled: boolean): void {
    Atomics.store(this.words, LATENCY_TRACKING_OFF, enabled ? 0 : 1);
  }

  latencyTracking(): boolean {
    return Atomics.load(this.words, LATENCY_TRACKING_OFF) === 0;
  }

  /**
   * By slot, every thread's latency histogram of the command added up (null: none recorded since the last
   * RESETSTAT). A thread that has not recorded since the last RESETSTAT still holds what it had before: left out.
   */
  latencyHistograms(): (Float64Array | null)[] {
    const generation = Atomics.load(this.words, LATENCY_GENERATION);
    const out: (Float64Array | null)[] = new Array<Float64Array | null>(this.slots).fill(null);
    for (const offset of this.slabOffsets()) {
      if (Atomics.load(this.histogramGenerationOf(offset), 0) !== generation) continue;
      const slab = new Float64Array(this.buffer, offset, this.slots * FIELDS);
      for (let slot = 0; slot < this.slots; slot++) {
        const entry = slab[slot * FIELDS + F_HISTOGRAM];
        if (entry === 0) continue;
        const start = this.layout.firstHistogram + (entry - 1) * HISTOGRAM_BYTES;
        if (start + HISTOGRAM_BYTES > this.buffer.byteLength) continue; // being grown for it: nothing in it yet
        const counts = new Float64Array(this.buffer, start, HISTOGRAM_COUNTS);
        const sum = (out[slot] ??= new Float64Array(HISTOGRAM_COUNTS));
        for (let i = 0; i < HISTOGRAM_COUNTS; i++) sum[i] += counts[i];
      }
    }
    return out;
  }

  // ---- CONFIG RESETSTAT ----

  /**
   * Every count starts again from zero. The slabs are only ever written by their own threads, so they are not
   * cleared but a baseline of their sums is kept; the shared words are cleared.
   */
  resetBaseline(totals: StatTotals): void {
    for (const word of [HITS, MISSES, ERROR_REPLIES]) {
      Atomics.store(this.words, word, 0);
      Atomics.store(this.words, word + 1, 0);
    }
    const registry = this.registry();
    for (let slot = 0; slot < ERROR_SLOTS; slot++) {
      Atomics.store(registry, slot * ERROR_SLOT_INTS + E_COUNT, 0);
      Atomics.store(registry, slot * ERROR_SLOT_INTS + E_COUNT + 1, 0);
    }
    // The counted tallies only: the change count (T_CHANGES) is the RDB's, which RESETSTAT does not touch.
    for (let word = 0; word < COUNTED_TALLIES * 2; word++) Atomics.store(this.overflowTally, word, 0);
    new Float64Array(this.buffer, this.layout.baselineSlab, this.slots * FIELDS).set(this.sums());
    const tallyBase = this.tallyOf(this.layout.baselineSlab);
    for (let field = 0; field < COUNTED_TALLIES; field++) tallyBase[field] = this.sumTally(field);
    // Histograms are cleared by their own threads, before they next record (SlabHistograms.record).
    Atomics.add(this.words, LATENCY_GENERATION, 1);
    this.cron().fill(0);
    Atomics.add(this.words, RATES_GENERATION, 1);
    this.floats[BASE_CONNECTIONS] = totals.connections;
    this.floats[BASE_REJECTED] = totals.rejectedConnections;
    this.floats[BASE_EXPIRED] = totals.expiredKeys;
    this.floats[BASE_EVICTED] = totals.evictedKeys;
  }

  baseline(): StatTotals {
    return {
      connections: this.floats[BASE_CONNECTIONS],
      rejectedConnections: this.floats[BASE_REJECTED],
      expiredKeys: this.floats[BASE_EXPIRED],
      evictedKeys: this.floats[BASE_EVICTED],
    };
  }

  /** INFO master_replid: 40 hex digits, the same on every thread, new at every start. */
  replicationId(): string {
    return Buffer.from(new Uint8Array(this.buffer, REPLID_BYTE, REPLID_BYTES)).toString('hex');
  }

  // ---- DEBUG SET-ACTIVE-EXPIRE ----

  activeExpireEnabled(): boolean {
    return Atomics.load(this.words, ACTIVE_EXPIRE_OFF) === 0;
  }

  setActiveExpire(enabled: boolean): void {
    Atomics.store(this.words, ACTIVE_EXPIRE_OFF, enabled ? 0 : 1);
  }

  // ---- Internals ----

  /** Every slab's fields added up (the overflow slab's nanoseconds as microseconds). */
  private sums(): Float64Array {
    const { firstSlab, slabBytes } = this.layout;
    const n = this.slots * FIELDS;
    const sums = new Float64Array(n);
    const claimed = Math.min(Atomics.load(this.words, SLABS_CLAIMED), SLAB_CAPACITY);
    for (let slab = 0; slab < claimed; slab++) {
      const offset = firstSlab + slab * slabBytes;
      if (offset + slabBytes > this.buffer.byteLength) break; // being grown for its thread: nothing in it yet
      const values = new Float64Array(this.buffer, offset, n);
      for (let i = 0; i < n; i++) sums[i] += values[i];
    }
    for (let i = 0; i < n; i++) {
      const value = this.read(this.overflow, i * 2);
      sums[i] += i % FIELDS === F_USEC ? value / 1000 : value;
    }
    return sums;
  }

  /** Adds n (0 <= n < 2^32) to a 64-bit count of the overflow slab: its field i is Uint32 words 2i, 2i + 1. */
  private addOverflow(field: number, n: number): void {
    let rest = n;
    while (rest > 0) {
      const part = Math.min(rest, 0xffffffff);
      this.add(this.overflow, field * 2, part);
      rest -= part;
    }
  }

  /** Adds n (0 < n < 2^32) to the 64-bit count at `lo`, carrying into the high word when the low one wraps. */
  private add(words: Int32Array | Uint32Array, lo: number, n: number): void {
    const before = Atomics.add(words, lo, n) >>> 0;
    if (before + n > 0xffffffff) Atomics.add(words, lo + 1, 1);
  }

  private read(words: Int32Array | Uint32Array, lo: number): number {
    return (Atomics.load(words, lo + 1) >>> 0) * 2 ** 32 + (Atomics.load(words, lo) >>> 0);
  }

  private registry(): Int32Array {
    return new Int32Array(this.buffer, ERRORS, ERROR_SLOTS * ERROR_SLOT_INTS);
  }

  private errorName(slot: number): string {
    const registry = this.registry();
    const length = registry[slot * ERROR_SLOT_INTS + E_LENGTH];
    const start = ERRORS + (slot * ERROR_SLOT_INTS + E_NAME) * 4;
    return Buffer.from(new Uint8Array(this.buffer, start, length)).toString('latin1');
  }

  /**
   * The registry slot of `prefix`, claiming a free one if no thread has registered it yet (open addressing
   * from the name's hash; a slot once claimed keeps its name). -1 when the registry is full.
   */
  private registerError(prefix: string): number {
    const registry = this.registry();
    const name = Buffer.from(prefix, 'latin1');
    let hash = 0;
    for (const byte of name) hash = (Math.imul(hash, 31) + byte) >>> 0;
    for (let probe = 0; probe < ERROR_SLOTS; probe++) {
      const slot = (hash + probe) % ERROR_SLOTS;
      const state = slot * ERROR_SLOT_INTS + E_STATE;
      if (Atomics.compareExchange(registry, state, 0, 1) === 0) {
        registry[slot * ERROR_SLOT_INTS + E_LENGTH] = name.length;
        new Uint8Array(this.buffer, ERRORS + (slot * ERROR_SLOT_INTS + E_NAME) * 4, name.length).set(name);
        Atomics.store(registry, state, 2);
        return slot;
      }
      // Taken: by this name (perhaps still being written by its thread, a few stores away) or another.
      while (Atomics.load(registry, state) !== 2) {
        // spin: the claiming thread is between its compareExchange and its store of 2
      }
      if (this.errorName(slot) === prefix) return slot;
    }
    return -1;
  }
}
