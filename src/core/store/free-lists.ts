// What the arena's free lists hold, for MEMORY MALLOC-STATS: every freed block waiting for reuse, by size and by
// list (a segment's own, or the shared ones). A walk of every list, each segment's under its read lock (which
// keeps its writers, the only ones to push or pop its lists, out) and the shared ones under their own lock: a
// diagnostic, not for a hot path. Knows the arena's lists, nothing of keys.

import type { TableAccess } from './access.js';
import { UNIT } from './layout.js';

/** The blocks of one size (a small list's exact size, or a large bin's lower bound) on one set of lists. */
export interface FreeListEntry {
  /** The segment whose own lists these are, or -1 for the shared lists. */
  readonly segment: number;
  /** Block size in units of UNIT bytes; for a large bin, the bin's lower bound (a power of two). */
  readonly units: number;
  readonly blocks: number;
  readonly bytes: number;
}

export interface FreeListReport {
  /** Bytes the arena's bump pointer handed out (resident), live, and reserved by its buffer. */
  readonly touchedBytes: number;
  readonly liveBytes: number;
  readonly reservedBytes: number;
  readonly lists: readonly FreeListEntry[];
}

export function freeListReport(a: TableAccess): FreeListReport {
  const lists: FreeListEntry[] = [];
  let liveBytes = 0;
  for (let segment = 0; segment < a.segments; segment++) {
    a.lockRead(segment);
    try {
      liveBytes += a.arena.usedBytes(segment);
      a.arena.forEachFreeList(segment, (units, blocks, bytes) =>
        lists.push({ segment, units, blocks, bytes }),
      );
    } finally {
      a.locks.readRelease(segment);
    }
  }
  a.arena.forEachFreeList(a.segments, (units, blocks, bytes) =>
    lists.push({ segment: -1, units, blocks, bytes }),
  );
  return { touchedBytes: a.arena.touchedBytes(), liveBytes, reservedBytes: a.arena.byteLength, lists };
}

/** The report as MEMORY MALLOC-STATS's text: totals, then free bytes by block size, then by segment. */
export function formatFreeListReport(report: FreeListReport): string {
  const sum = (entries: readonly FreeListEntry[]): number => entries.reduce((n, e) => n + e.bytes, 0);
  const shared = report.lists.filter((e) => e.segment < 0);
  const own = report.lists.filter((e) => e.segment >= 0);
  const lines = [
    'redis-lite arena (one SharedArrayBuffer, every thread allocating in it)',
    `reserved: ${report.reservedBytes}`,
    `touched: ${report.touchedBytes} (handed out by the bump pointer at least once: resident)`,
    `live: ${report.liveBytes}`,
    `free: ${sum(own)} on the segments' own lists, ${sum(shared)} on the shared lists`,
    `Free blocks by size (units of ${UNIT} bytes; a large bin by its lower bound):`,
  ];
  const sizes = [...new Set(report.lists.map((e) => e.units))].sort((x, y) => x - y);
  for (const units of sizes) {
    const all = report.lists.filter((e) => e.units === units);
    const inSegments = all.filter((e) => e.segment >= 0);
    const blocks = all.reduce((n, e) => n + e.blocks, 0);
    lines.push(
      `  ${units}: ${blocks} blocks, ${sum(all)} bytes; shared ${sum(all.filter((e) => e.segment < 0))}, ` +
        `segments ${sum(inSegments)} in ${inSegments.length}`,
    );
  }
  lines.push('Free bytes by segment (own lists; segments without any left out):');
  const segments = [...new Set(own.map((e) => e.segment))].sort((x, y) => x - y);
  for (const segment of segments) {
    lines.push(`  ${segment}: ${sum(own.filter((e) => e.segment === segment))}`);
  }
  return `${lines.join('\n')}\n`;
}
