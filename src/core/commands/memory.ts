// MEMORY (object.c memoryCommand) as Redis 7.0: USAGE, STATS, DOCTOR, PURGE, MALLOC-STATS and HELP.
// USAGE is the store's own count of a key's bytes (store/containers.ts entryFootprint): its entry's block (header,
// key, value or a container's root, expiry) and every block its value points to, each as the size class the
// arena gave it. Redis's is an estimate from its structs' sizes (robj, dictEntry, the key's sds, the value's
// nodes); both sample a large container's elements (SAMPLES, default 5, 0 for all) and scale to the whole, so
// the figures are each server's own bytes and differ (a 1-byte string: 64 bytes in Redis, 40 here).
// MALLOC-STATS prints the arena (store/free-lists.ts), STATS and DOCTOR are in memory-report.ts. PURGE gives back
// what the thread's transport can (ServerContext.purgeMemory: a GC and malloc_trim) and answers OK, as Redis does
// after jemalloc's purge; the arena is one SharedArrayBuffer, which JavaScript cannot give back in part: its free
// blocks stay on its lists for the next allocations.

import { ArgCursor } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { integer, NIL, OK, verbatim, type Reply } from '../reply.js';
import { formatFreeListReport } from '../store/free-lists.js';
import { helpReply, subcommandBuilder } from './container.js';
import { memoryDoctor, memoryStats } from './memory-report.js';

/** OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
const DEFAULT_SAMPLES = 5;

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

/** MEMORY USAGE key [SAMPLES count]: the options are read (the last SAMPLES wins) before the key is looked up. */
function usage(argv: Buffer[], ctx: CommandContext): Reply {
  const args = new ArgCursor(argv, 3);
  let samples = DEFAULT_SAMPLES;
  while (args.hasNext()) {
    if (args.nextWord() !== 'SAMPLES') throw new CommandError(ERR.syntax);
    const count = args.nextBigInt();
    if (count < 0n) throw new CommandError(ERR.syntax);
    samples = count === 0n || count > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(count);
  }
  const bytes = ctx.store.memoryUsage(argv[2], samples);
  return bytes === null ? NIL : integer(bytes);
}

function mallocStats(_argv: Buffer[], ctx: CommandContext): Reply {
  return verbatim(formatFreeListReport(ctx.store.freeListReport()));
}

function purge(_argv: Buffer[], ctx: CommandContext): Reply {
  ctx.server.purgeMemory?.();
  return OK;
}

const memorySub = subcommandBuilder('memory', 'server', '4.0.0', {});

export const memoryCommand: CommandSpec = {
  name: 'memory',
  syntax: 'MEMORY subcommand [argument ...]',
  summary: 'A container for memory diagnostics commands.',
  group: 'server',
  since: '4.0.0',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    {
      ...memorySub(
        'usage',
        'MEMORY USAGE key [SAMPLES count]',
        'Estimate the memory usage of a key.',
        -3,
        ['readonly'],
        usage,
      ),
      keys: [2, 2, 1],
    },
    memorySub('stats', 'MEMORY STATS', 'Show memory usage details.', 2, [], memoryStats),
    memorySub('doctor', 'MEMORY DOCTOR', 'Outputs memory problems report.', 2, [], memoryDoctor),
    memorySub('purge', 'MEMORY PURGE', 'Ask the allocator to release memory.', 2, [], purge),
    memorySub('malloc-stats', 'MEMORY MALLOC-STATS', 'Show allocator internal stats.', 2, [], mallocStats),
    memorySub(
      'help',
      'MEMORY HELP',
      'Show helpful text about the different subcommands.',
      2,
      ['loading', 'stale'],
      () => helpReply('memory', MEMORY_HELP),
    ),
  ],
};
