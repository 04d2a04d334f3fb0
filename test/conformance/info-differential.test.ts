// INFO against redis-server 7.0, for every transport: after the same commands on both servers, every form of
// INFO (none, default, all, everything, each section, several sections in one call, any case) shows the same
// sections, each with Redis's field names in Redis's order (redis-lite's own fields may only follow them, and
// only those listed in OWN_FIELDS), and every value in the format Redis prints it (an integer, "%.2f", "%.3f",
// "%.6f", a human size, a percentage, a hex id, text; a key=value list field by field). The figures themselves
// are each server's own. Per-command sections (commandstats, errorstats, latencystats) and keyspace list the same
// names, compared as sets: Redis orders commands by its dict. Skipped without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import type { LiveClient } from '../support/live-harness.js';
import { transports } from '../support/server.js';

/** redis-lite's own fields, after Redis's in their section (README: INFO). */
const OWN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Server: ['redis_lite_version', 'transport'],
  Clients: ['workers', 'workers_started', 'workers_max', 'busy_workers', 'queued_clients'],
  Memory: [
    'used_memory_reserved',
    'arena_free_segments',
    'arena_free_shared',
    'pool_buffers_released',
    'pool_memory_trims',
  ],
};

/** Sections whose lines are one per command, error code or database: the same names, in any order. */
const LISTS = new Set(['Commandstats', 'Errorstats', 'Latencystats', 'Keyspace']);

const SECTION_NAMES = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'latencystats',
  'cluster',
  'keyspace',
];

const FORMS: readonly string[][] = [
  [],
  ['default'],
  ['all'],
  ['everything'],
  ['ALL'],
  ...SECTION_NAMES.map((s) => [s]),
  ['server', 'clients'],
  ['memory', 'stats', 'latencystats'],
  ['CPU', 'keyspace', 'nosuchsection'],
  ['default', 'commandstats'],
  ['nosuchsection'],
];

type Section = { title: string; fields: [string, string][] };

function sections(text: string): Section[] {
  const out: Section[] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.push({ title: line.slice(2), fields: [] });
    else if (line !== '') {
      const colon = line.indexOf(':');
      out[out.length - 1].fields.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return out;
}

/** How Redis prints a value, without the value itself. */
function valueFormat(value: string): string {
  if (/^-?\d+$/.test(value)) return 'integer';
  if (/^-?\d+\.\d\d$/.test(value)) return '%.2f';
  if (/^-?\d+\.\d{3}$/.test(value)) return '%.3f';
  if (/^-?\d+\.\d{6}$/.test(value)) return '%.6f';
  if (/^-?\d+\.\d\d%$/.test(value)) return 'percent';
  if (/^(\d+B|\d+\.\d\d[KMGTP])$/.test(value)) return 'human';
  if (/^[0-9a-f]{40}$/.test(value)) return 'id40';
  if (/^[0-9a-f]+$/.test(value)) return 'hex';
  // cmdstat, errorstat, latency and keyspace lines: each key with its own value's format.
  if (/^[a-z0-9_.]+=/.test(value)) {
    return value
      .split(',')
      .map((pair) => {
        const eq = pair.indexOf('=');
        return `${pair.slice(0, eq)}=${valueFormat(pair.slice(eq + 1))}`;
      })
      .join(',');
  }
  return 'text';
}

async function info(client: LiveClient, args: readonly string[]): Promise<string> {
  const reply = await client.value(['INFO', ...args]);
  if (reply.type !== 'bulk') throw new Error(`INFO ${args.join(' ')} answered ${reply.type}`);
  return reply.bytes.toString('latin1');
}

/** The same commands on each server: stats, errors, keys in two databases, latencies to show. */
async function exercise(client: LiveClient): Promise<void> {
  for (const argv of [
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['GET', 'missing'],
    ['INCR', 'k'],
    ['LPUSH', 'l', 'a', 'b'],
    ['EXPIRE', 'l', '1000'],
    ['SELECT', '3'],
    ['SET', 'k3', 'v'],
    ['SELECT', '0'],
    ['NOSUCHCOMMAND'],
    ['GET'],
    ['CONFIG', 'GET', 'maxmemory'],
  ])
    await client.call(argv);
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: INFO fields as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport);

    it('shows the same sections, fields in the same order and values in the same formats', async () => {
      await exercise(both.real);
      await exercise(both.lite);
      for (const form of FORMS) {
        const theirs = sections(await info(both.real, form));
        const mine = sections(await info(both.lite, form));
        const what = `INFO ${form.join(' ')}`;
        expect(
          mine.map((s) => s.title),
          what,
        ).toEqual(theirs.map((s) => s.title));
        for (const [i, section] of theirs.entries()) {
          const ours = mine[i].fields;
          const where = `${what}: # ${section.title}`;
          if (LISTS.has(section.title)) {
            const names = (fields: [string, string][]) => fields.map(([name]) => name).sort();
            expect(names(ours), where).toEqual(names(section.fields));
          } else {
            const redisNames = section.fields.map(([name]) => name);
            expect(
              ours.slice(0, redisNames.length).map(([name]) => name),
              where,
            ).toEqual(redisNames);
            const extras = ours.slice(redisNames.length).map(([name]) => name);
            for (const extra of extras) expect(OWN_FIELDS[section.title] ?? [], where).toContain(extra);
          }
          const formats = (fields: [string, string][]) =>
            new Map(fields.map(([name, value]) => [name, valueFormat(value)]));
          const ourFormats = formats(ours);
          for (const [name, format] of formats(section.fields)) {
            expect(`${name}: ${ourFormats.get(name)}`, where).toBe(`${name}: ${format}`);
          }
        }
      }
    });
  },
);
