// What every INFO section's fields are made of: the source they read (the server context and the store), a
// section's field list, and the value formats Redis's genRedisInfoString prints (bytesToHuman, "%.2f" of a C
// float). Knows nothing of which section shows what (info.ts and the info-*.ts beside it).

import type { ClientBuffers, ServerContext } from './command.js';
import { formatFixed } from './format-double.js';
import type { KeyValueStore } from './store/types.js';

export interface InfoSource {
  readonly server: ServerContext;
  readonly store: KeyValueStore;
}

/** What a section reads: the source, and the clients' buffers gathered at most once per INFO (renderInfo). */
export interface SectionSource extends InfoSource {
  clientBuffers(): ClientBuffers;
}

/** A section's lines, in order: name and value ("name:value\r\n"). */
export type Fields = [string, string | number][];

/** Redis's bytesToHuman: B below 1 KiB, then K, M, G, T, P with two decimals. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let d = n / 1024;
  let i = 0;
  while (d >= 1024 && i < units.length - 1) {
    d /= 1024;
    i++;
  }
  return `${d.toFixed(2)}${units[i]}`;
}

/** A setting's value as this thread's config holds it. */
export function setting(server: ServerContext, name: string): string {
  return server.config.get(name)[0]?.[1] ?? '';
}

/** The process's resident set size, bytes; undefined when /proc could not be read. */
export function residentSetSize(): number | undefined {
  try {
    return process.memoryUsage.rss();
  } catch {
    return undefined; // EMFILE/ENFILE while reading /proc/self: the caller shows 0, INFO answers anyway
  }
}

/** Redis's ratios and percentages are C floats printed with "%.2f". */
export function floatFixed2(x: number): string {
  return formatFixed(Math.fround(Number.isFinite(x) ? Math.abs(x) : 0), 2);
}

/** over / under as Redis prints its ratios ("%.2f" of a float); 0.00 when under is 0. */
export function ratio(over: number, under: number): string {
  return under > 0 ? floatFixed2(over / under) : '0.00';
}
