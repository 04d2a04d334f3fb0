// What the container commands (CLIENT, CONFIG, COMMAND) share: the spec shape of their subcommands and the
// HELP reply (networking.c addReplyHelp). Knows nothing of any one container or of what a subcommand does.

import type { CommandFlag, CommandSpec } from '../command.js';
import { array, status, type Reply } from '../reply.js';

/**
 * A builder for one container's subcommand specs: each is named "container|sub", takes no keys and is in its
 * container's group. `since` names the Redis version of each subcommand that came after the container itself.
 */
export function subcommandBuilder(
  container: string,
  group: CommandSpec['group'],
  containerSince: string,
  since: Readonly<Record<string, string>>,
) {
  return (
    name: string,
    syntax: string,
    summary: string,
    arity: number,
    flags: readonly CommandFlag[],
    run: CommandSpec['run'],
  ): CommandSpec => ({
    name: `${container}|${name}`,
    syntax,
    summary,
    group,
    since: since[name] ?? containerSince,
    arity,
    flags,
    keys: [0, 0, 0],
    run,
  });
}

/** A header line, the subcommand lines, then "HELP" and its description, each as a status reply. */
export function helpReply(container: string, lines: readonly string[]): Reply {
  return array(
    [
      `${container.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
      ...lines,
      'HELP',
      '    Prints this help.', // Redis 7.0's wording (7.2 says Print)
    ].map(status),
  );
}
