// MEMORY (object.c memoryCommand), the part about the allocator: MALLOC-STATS, which in Redis prints jemalloc's
// statistics, here the store's arena: what it reserved, what its bump pointer handed out, what is live, and the
// freed blocks waiting for reuse by size and by list (a segment's own, or the shared ones). HELP lists it. The
// other subcommands (USAGE, STATS, DOCTOR, PURGE) are not here: the executor answers them as unknown.

import type { CommandContext, CommandSpec } from '../command.js';
import { verbatim, type Reply } from '../reply.js';
import { formatFreeListReport } from '../store/free-lists.js';
import { helpReply, subcommandBuilder } from './container.js';

const MEMORY_HELP = ['MALLOC-STATS', '    Return internal statistics report from the memory allocator.'];

function mallocStats(_argv: Buffer[], ctx: CommandContext): Reply {
  return verbatim(formatFreeListReport(ctx.store.freeListReport()));
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
    memorySub('malloc-stats', 'MEMORY MALLOC-STATS', 'Returns the allocator statistics.', 2, [], mallocStats),
    memorySub(
      'help',
      'MEMORY HELP',
      'Returns helpful text about the different subcommands.',
      2,
      ['loading', 'stale'],
      () => helpReply('memory', MEMORY_HELP),
    ),
  ],
};
