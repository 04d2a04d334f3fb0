// LATENCY against redis-server 7.0.15 on every transport, in RESP2 and RESP3: HELP and the errors, the report
// while monitoring is off, an event recorded by a command slower than latency-monitor-threshold (DEBUG SLEEP past
// it) as LATEST, HISTORY, DOCTOR, GRAPH and RESET show it, and HISTOGRAM's calls per command. What differs between
// two servers is masked before comparing: each number in DOCTOR's and GRAPH's text, each time and latency (each
// checked first: the time is now, the latency at least the sleep), HISTOGRAM's buckets (checked to be cumulative
// up to the calls), and DOCTOR's line about the process's huge pages, which is about each process. Skipped
// without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { LiveClient, show, type Value } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const SLEEP_MS = 60;
const THRESHOLD_MS = 40;

/** Compared as they are. */
const FIXED: readonly string[][] = [
  ['LATENCY', 'HELP'],
  ['LATENCY'],
  ['LATENCY', 'FOO'],
  ['LATENCY', 'LATEST', 'x'],
  ['LATENCY', 'HISTORY'],
  ['LATENCY', 'GRAPH', 'a', 'b'],
  ['LATENCY', 'DOCTOR', 'x'],
  ['LATENCY', 'HELP', 'x'],
  ['CONFIG', 'SET', 'latency-monitor-threshold', '-1'],
  ['CONFIG', 'SET', 'latency-monitor-threshold', 'abc'],
  ['CONFIG', 'GET', 'latency-monitor-threshold'],
  ['LATENCY', 'DOCTOR'],
  ['LATENCY', 'LATEST'],
  ['LATENCY', 'HISTORY', 'command'],
  ['LATENCY', 'RESET'],
  ['LATENCY', 'RESET', 'command', 'fast-command'],
  ['LATENCY', 'GRAPH', 'command'],
  ['LATENCY', 'HISTOGRAM', 'nosuch'],
];

/** A text reply with every number masked, and the lines about this process's huge pages left out. */
function maskedText(reply: Value): string {
  const text = reply.type === 'bulk' || reply.type === 'verbatim' ? reply.bytes.toString('latin1') : '';
  expect(text.length).toBeGreaterThan(0);
  return text
    .split('\n')
    .filter((line) => !line.startsWith('- I detected a non zero amount of anonymous huge pages'))
    .join('\n')
    .replace(/\d+(\.\d+)?/g, 'N');
}

const integerOf = (value: Value | undefined): number => {
  if (value?.type !== 'integer')
    throw new Error(`expected an integer: ${JSON.stringify(value && show(value))}`);
  return Number(value.value);
};
const itemsOf = (value: Value): readonly Value[] => {
  if (value.type !== 'array') throw new Error(`expected an array: ${JSON.stringify(show(value))}`);
  return value.items;
};
/** A map's entries: RESP3's map, or RESP2's flattened array. */
function entriesOf(value: Value): (readonly [Value, Value])[] {
  if (value.type === 'map') return [...value.entries];
  const flat = itemsOf(value);
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as const);
}

/** HISTOGRAM's reply as [name, calls] pairs, each histogram checked to be cumulative, ascending, up to its calls. */
function histogramCalls(reply: Value): [string, number][] {
  return entriesOf(reply).map(([name, body]) => {
    const text = (v: Value): string => (v.type === 'bulk' ? v.bytes.toString('latin1') : '');
    const fields = new Map(entriesOf(body).map(([k, v]) => [text(k), v] as const));
    const calls = integerOf(fields.get('calls'));
    const buckets = entriesOf(fields.get('histogram_usec')!).map(([micros, count]) => [
      integerOf(micros),
      integerOf(count),
    ]);
    buckets.forEach(([micros, count], i) => {
      if (i > 0) expect(micros).toBeGreaterThan(buckets[i - 1][0]);
      if (i > 0) expect(count).toBeGreaterThan(buckets[i - 1][1]);
    });
    expect(buckets.at(-1)?.[1]).toBe(calls);
    return [text(name), calls];
  });
}

async function script(client: LiveClient): Promise<unknown[]> {
  const out: unknown[] = [];
  await client.value(['CONFIG', 'SET', 'latency-monitor-threshold', '0']);
  await client.value(['LATENCY', 'RESET']);
  for (const argv of FIXED) out.push(show(await client.value(argv)));
  await client.value(['CONFIG', 'SET', 'latency-monitor-threshold', String(THRESHOLD_MS)]);
  const before = Math.floor(Date.now() / 1000);
  await client.value(['DEBUG', 'SLEEP', String(SLEEP_MS / 1000)]);
  const latest = itemsOf(await client.value(['LATENCY', 'LATEST']));
  out.push(latest.length);
  const [name, time, latency, max] = itemsOf(latest[0]);
  out.push(show(name));
  expect(integerOf(time)).toBeGreaterThanOrEqual(before);
  expect(integerOf(time)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  expect(integerOf(latency)).toBeGreaterThanOrEqual(SLEEP_MS);
  expect(integerOf(max)).toBe(integerOf(latency));
  out.push(itemsOf(await client.value(['LATENCY', 'HISTORY', 'command'])).length);
  out.push(maskedText(await client.value(['LATENCY', 'DOCTOR'])));
  out.push(maskedText(await client.value(['LATENCY', 'GRAPH', 'command'])));
  out.push(show(await client.value(['LATENCY', 'RESET', 'COMMAND', 'command'])));
  out.push(show(await client.value(['LATENCY', 'LATEST'])));
  await client.value(['CONFIG', 'SET', 'latency-monitor-threshold', '0']);
  await client.value(['CONFIG', 'RESETSTAT']);
  for (let i = 0; i < 3; i++) await client.value(['SET', 'k', String(i)]);
  await client.value(['GET', 'k']);
  out.push(histogramCalls(await client.value(['LATENCY', 'HISTOGRAM', 'set', 'GET', 'nosuch', 'config'])));
  return out;
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: LATENCY as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport, {
      ours: { workers: transport === 'hybrid' ? 2 : 4 },
      settings: { 'enable-debug-command': 'yes' },
    });

    it('answers alike in RESP2 and RESP3, times and latencies aside', async () => {
      const run = async (port: number | null, resp3: boolean): Promise<unknown[]> => {
        const client =
          port === null ? new LiveClient(await both.ours.connect()) : await LiveClient.connect(port);
        try {
          if (resp3) await client.value(['HELLO', '3']);
          return await script(client);
        } finally {
          await client.close();
        }
      };
      for (const resp3 of [false, true]) {
        const theirs = await run(both.redis.port, resp3);
        expect(await run(null, resp3)).toEqual(theirs);
      }
    });
  },
);
