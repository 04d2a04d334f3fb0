// MEMORY STATS and MEMORY DOCTOR's replies (object.c memoryCommand, getMemoryDoctorReport) over the figures of
// memory-overhead.ts: STATS's fields in Redis 7.0's names and order, DOCTOR's text where its cases apply here.
// DOCTOR's cases that cannot apply are left out: replica buffers and cached scripts (neither exists), the
// allocator's RSS overhead (the arena's written pages are its resident ones), and the total and process RSS
// ones, whose texts blame jemalloc, Lua and modules for what here is V8's heap beside the store.

import type { CommandContext } from '../command.js';
import { double, integer, map, bulkString, verbatim, type Reply } from '../reply.js';
import { asFloat, memoryOverhead, type MemoryOverhead } from './memory-overhead.js';

const field = (name: string, value: Reply): [Reply, Reply] => [bulkString(name), value];

export function memoryStats(_argv: Buffer[], ctx: CommandContext): Reply {
  const m = memoryOverhead(ctx);
  const frag = m.allocatorActive - m.allocatorAllocated;
  const rssExtra = m.processRss - m.allocatorResident;
  return map([
    field('peak.allocated', integer(m.peakAllocated)),
    field('total.allocated', integer(m.totalAllocated)),
    field('startup.allocated', integer(m.startupAllocated)),
    field('replication.backlog', integer(0)),
    field('clients.slaves', integer(0)),
    field('clients.normal', integer(m.clientsNormal)),
    field('cluster.links', integer(0)),
    field('aof.buffer', integer(m.aofBuffer)),
    field('lua.caches', integer(0)),
    field('functions.caches', integer(0)),
    ...m.databases.map((d) =>
      field(
        `db.${d.db}`,
        map([
          field('overhead.hashtable.main', integer(d.main)),
          field('overhead.hashtable.expires', integer(d.expires)),
          field('overhead.hashtable.slot-to-keys', integer(0)),
        ]),
      ),
    ),
    field('overhead.total', integer(m.overheadTotal)),
    field('keys.count', integer(m.totalKeys)),
    field('keys.bytes-per-key', integer(m.bytesPerKey)),
    field('dataset.bytes', integer(m.dataset)),
    field('dataset.percentage', double(m.datasetPercentage)),
    field('peak.percentage', double(m.peakPercentage)),
    field('allocator.allocated', integer(m.allocatorAllocated)),
    field('allocator.active', integer(m.allocatorActive)),
    field('allocator.resident', integer(m.allocatorResident)),
    field('allocator-fragmentation.ratio', double(ratio(m.allocatorActive, m.allocatorAllocated))),
    field('allocator-fragmentation.bytes', integer(frag)),
    field('allocator-rss.ratio', double(ratio(m.allocatorResident, m.allocatorActive))),
    field('allocator-rss.bytes', integer(m.allocatorResident - m.allocatorActive)),
    field('rss-overhead.ratio', double(ratio(m.processRss, m.allocatorResident))),
    field('rss-overhead.bytes', integer(rssExtra)),
    // The total RSS overhead, fragmentation included; Redis keeps the name for backwards compatibility.
    field('fragmentation', double(ratio(m.processRss, m.totalAllocated))),
    field('fragmentation.bytes', integer(m.processRss - m.totalAllocated)),
  ]);
}

const ratio = (over: number, under: number): number => asFloat(over / under);

const EMPTY_BELOW = 5 * 1024 * 1024;
const TEN_MB = 10 << 20;

const TEXT = {
  fine: "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
  empty:
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these " +
    'conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be ' +
    'back to our programming as soon as I finished rebooting.\n',
  header: 'Sam, I detected a few issues in this Redis instance memory implants:\n\n',
  bigPeak:
    ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The ' +
    'allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ' +
    'ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance ' +
    'Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the ' +
    'Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, ' +
    'please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the ' +
    'instance.\n\n',
  allocatorFragmentation:
    ' * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. ' +
    'This problem is usually due either to a large peak memory (check if there is a peak memory entry above in ' +
    'the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try ' +
    "enabling 'activedefrag' config option.\n\n",
  bigClientBuffers:
    ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on ' +
    'average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not ' +
    'receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending ' +
    'commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT ' +
    'LIST command in order to investigate the issue if it causes problems in your instance, or to understand ' +
    'better why certain clients are using a big amount of memory.\n\n',
  footer: "I'm here to keep you safe, Sam. I want to help you.\n",
};

/**
 * getMemoryDoctorReport's text for the cases that apply. "Empty" is judged on the store's bytes: Redis's
 * total is its ~1 MB start-up plus the data, ours a V8 heap of several MB before the first key.
 */
export function doctorReport(m: MemoryOverhead): string {
  if (m.storeBytes < EMPTY_BELOW) return TEXT.empty;
  const found: string[] = [];
  if (m.peakAllocated / m.totalAllocated > 1.5) found.push(TEXT.bigPeak);
  const fragmentation = m.allocatorActive - m.allocatorAllocated;
  if (m.allocatorActive / m.allocatorAllocated > 1.1 && fragmentation > TEN_MB)
    found.push(TEXT.allocatorFragmentation);
  if (m.clients > 0 && m.clientsNormal / m.clients > 200 * 1024) found.push(TEXT.bigClientBuffers);
  return found.length === 0 ? TEXT.fine : TEXT.header + found.join('') + TEXT.footer;
}

export function memoryDoctor(_argv: Buffer[], ctx: CommandContext): Reply {
  return verbatim(doctorReport(memoryOverhead(ctx)));
}
