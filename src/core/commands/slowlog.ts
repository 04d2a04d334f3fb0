// SLOWLOG GET / LEN / RESET / HELP (slowlog.c slowlogCommand), over the server's one slow log, which every
// thread shares (slowlog/shared-slowlog.ts): what is logged and when is the executor's (slowlog/record.ts).

import { parseInt64 } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, cString } from '../errors.js';
import { array, bulk, bulkString, integer, OK, type Reply } from '../reply.js';
import type { SharedSlowLog } from '../slowlog/shared-slowlog.js';
import { helpReply, subcommandBuilder } from './container.js';

const COUNT_ERROR = 'ERR count should be greater than or equal to -1';

function slowlogOf(ctx: CommandContext): SharedSlowLog {
  const log = ctx.server.slowlog;
  if (log === undefined) throw new CommandError('ERR the slow log is not available here');
  return log;
}

/** SLOWLOG GET [count]: the newest `count` entries (10 by default, -1 all), each [id, time, µs, argv, peer, name]. */
function get(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 3) {
    throw new CommandError(
      `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try SLOWLOG HELP.`,
    );
  }
  let count = 10;
  if (argv.length === 3) {
    const asked = parseInt64(argv[2]);
    if (asked === null || asked < -1n) throw new CommandError(COUNT_ERROR);
    count = asked === -1n ? Infinity : Number(asked);
  }
  return array(
    slowlogOf(ctx)
      .newest(count)
      .map((entry) =>
        array([
          integer(entry.id),
          integer(entry.time),
          integer(entry.duration),
          array(entry.argv.map(bulk)),
          bulkString(entry.peer),
          bulk(Buffer.from(entry.name, 'latin1')),
        ]),
      ),
  );
}

const HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const sub = subcommandBuilder('slowlog', 'server', '2.2.12', { help: '6.2.0' });
const admin = ['admin', 'loading', 'stale'] as const;

export const slowlogCommand: CommandSpec = {
  name: 'slowlog',
  syntax: 'SLOWLOG subcommand [argument ...]',
  summary: 'A container for slow log commands.',
  group: 'server',
  since: '2.2.12',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    sub('get', 'SLOWLOG GET [count]', "Returns the slow log's entries.", -2, admin, get),
    sub('len', 'SLOWLOG LEN', 'Returns the number of entries in the slow log.', 2, admin, (_argv, ctx) =>
      integer(slowlogOf(ctx).length()),
    ),
    sub('reset', 'SLOWLOG RESET', 'Clears all entries from the slow log.', 2, admin, (_argv, ctx) => {
      slowlogOf(ctx).reset();
      return OK;
    }),
    sub(
      'help',
      'SLOWLOG HELP',
      'Show helpful text about the different subcommands',
      2,
      ['loading', 'stale'],
      () => helpReply('slowlog', HELP),
    ),
  ],
};
