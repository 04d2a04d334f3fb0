// INFO commandstats, errorstats and latencystats: a line per command (or error code) with figures since start-up
// or the last CONFIG RESETSTAT, from the counters every thread shares (shared-counters.ts). Redis lists commands
// in its command dict's order, which varies between processes; here, the command table's.

import { formatFixed } from './format-double.js';
import { setting, type Fields, type InfoSource } from './info-fields.js';
import { hasCounts, parsePercentiles, percentilesLine } from './latency-percentiles.js';
import { safeInfoName } from './shared-counters.js';

/**
 * One line per command called, rejected or failed, a container's subcommands after it (server.c
 * genRedisInfoStringCommandStats). usec_per_call is C's float division printed with "%.2f".
 */
export function commandstatsFields({ server }: InfoSource): Fields {
  const stats = server.counters?.commandStats() ?? [];
  const fields: Fields = [];
  for (const [slot, spec] of server.commands.slots().entries()) {
    const s = stats[slot];
    if (s === undefined || (s.calls === 0 && s.rejectedCalls === 0 && s.failedCalls === 0)) continue;
    const usec = Math.floor(s.usec);
    const perCall = s.calls === 0 ? 0 : Math.fround(Math.fround(usec) / Math.fround(s.calls));
    fields.push([
      `cmdstat_${safeInfoName(spec.name)}`,
      `calls=${s.calls},usec=${usec},usec_per_call=${formatFixed(perCall, 2)},` +
        `rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    ]);
  }
  return fields;
}

/** One line per error code replied, in Redis's order (by bytes). */
export function errorstatsFields({ server }: InfoSource): Fields {
  return (server.counters?.errorStats() ?? []).map(([code, count]) => [
    `errorstat_${safeInfoName(code)}`,
    `count=${count}`,
  ]);
}

/**
 * One line per command run while latency-tracking was on (server.c genRedisInfoStringLatencyStats): the
 * latency-tracking-info-percentiles of its run times, every thread's histograms added up. Empty while
 * latency-tracking is off, as Redis's.
 */
export function latencystatsFields({ server }: InfoSource): Fields {
  const counters = server.counters;
  if (counters === undefined || !counters.latencyTracking()) return [];
  const percentiles = parsePercentiles(setting(server, 'latency-tracking-info-percentiles'));
  const histograms = counters.latencyHistograms();
  const fields: Fields = [];
  for (const [slot, spec] of server.commands.slots().entries()) {
    const counts = histograms[slot];
    if (counts === null || counts === undefined || !hasCounts(counts)) continue;
    fields.push([
      `latency_percentiles_usec_${safeInfoName(spec.name)}`,
      percentilesLine(counts, percentiles),
    ]);
  }
  return fields;
}
