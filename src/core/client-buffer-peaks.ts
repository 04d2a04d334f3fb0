// INFO's client_recent_max_input_buffer / client_recent_max_output_buffer and mem_clients_normal, kept as Redis
// 7.0 keeps them (server.c clientsCronTrackExpansiveClients): each thread that holds clients samples them from its
// cron about once a second, into the slot of the current second of a ring of CLIENTS_PEAK_MEM_USAGE_SLOTS (8), and
// the recent maxima are the largest over the ring; a client that had a large buffer a few seconds ago is still
// reported after it has left, as in Redis. The ring lives in a SharedArrayBuffer, one row per sampling thread
// (its only writer), so INFO on any thread reads every thread's figures without asking any of them. Knows buffer
// sizes and seconds; nothing of clients or transports.

import type { ClientBuffers } from './command.js';

/** server.c CLIENTS_PEAK_MEM_USAGE_SLOTS: one slot per second. */
export const CLIENTS_PEAK_MEM_USAGE_SLOTS = 8;

/** Per row: the total of its clients' buffers, then per slot its second, its input peak and its output peak. */
const TOTAL = 0;
const SLOT_WORDS = 3;
const ROW_WORDS = 1 + CLIENTS_PEAK_MEM_USAGE_SLOTS * SLOT_WORDS;
const NO_SECOND = -1n;

const secondAt = (row: number, slot: number): number => row * ROW_WORDS + 1 + slot * SLOT_WORDS;

export class ClientBufferPeaks {
  private constructor(private readonly words: BigInt64Array) {}

  /** `rows`: one per thread that samples its clients (the event loop's one, each hybrid loop, the pool's main). */
  static create(rows: number): ClientBufferPeaks {
    const words = new BigInt64Array(new SharedArrayBuffer(rows * ROW_WORDS * 8));
    for (let row = 0; row < rows; row++) {
      for (let slot = 0; slot < CLIENTS_PEAK_MEM_USAGE_SLOTS; slot++) words[secondAt(row, slot)] = NO_SECOND;
    }
    return new ClientBufferPeaks(words);
  }

  static attach(buffer: SharedArrayBuffer): ClientBufferPeaks {
    return new ClientBufferPeaks(new BigInt64Array(buffer));
  }

  get buffer(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  /**
   * A thread's cron looked at its clients at `nowMs`: the largest query and output buffer among them, and every
   * buffer added up. Redis zeroes the slot after the current one at each cron; here a slot whose second is 7 or
   * more seconds old is cleared, so a second the cron skipped (it runs once a second, not hz times) leaves nothing
   * stale behind, and the ring holds the current second and the 6 before it, as Redis's does after its cron.
   */
  record(row: number, nowMs: number, sample: ClientBuffers): void {
    const words = this.words;
    const second = BigInt(Math.floor(nowMs / 1000));
    for (let slot = 0; slot < CLIENTS_PEAK_MEM_USAGE_SLOTS; slot++) {
      const at = secondAt(row, slot);
      const stamp = Atomics.load(words, at);
      const age = second - stamp;
      if (stamp !== NO_SECOND && (age >= BigInt(CLIENTS_PEAK_MEM_USAGE_SLOTS - 1) || age < 0n)) {
        Atomics.store(words, at, NO_SECOND);
      }
    }
    const at = secondAt(row, Number(second % BigInt(CLIENTS_PEAK_MEM_USAGE_SLOTS)));
    const query = BigInt(sample.maxQuery);
    const output = BigInt(sample.maxOutput);
    if (Atomics.load(words, at) === second) {
      if (query > Atomics.load(words, at + 1)) Atomics.store(words, at + 1, query);
      if (output > Atomics.load(words, at + 2)) Atomics.store(words, at + 2, output);
    } else {
      Atomics.store(words, at + 1, query);
      Atomics.store(words, at + 2, output);
      Atomics.store(words, at, second);
    }
    Atomics.store(words, row * ROW_WORDS + TOTAL, BigInt(sample.total));
  }

  /** getExpansiveClientsInfo: the largest of every row's slots; and every row's last total, added up. */
  read(): ClientBuffers {
    const words = this.words;
    let maxQuery = 0n;
    let maxOutput = 0n;
    let total = 0n;
    for (let row = 0; row * ROW_WORDS < words.length; row++) {
      total += Atomics.load(words, row * ROW_WORDS + TOTAL);
      for (let slot = 0; slot < CLIENTS_PEAK_MEM_USAGE_SLOTS; slot++) {
        const at = secondAt(row, slot);
        if (Atomics.load(words, at) === NO_SECOND) continue;
        const query = Atomics.load(words, at + 1);
        const output = Atomics.load(words, at + 2);
        if (query > maxQuery) maxQuery = query;
        if (output > maxOutput) maxOutput = output;
      }
    }
    return { maxQuery: Number(maxQuery), maxOutput: Number(maxOutput), total: Number(total) };
  }
}
