// The HELP reply every Redis container command shares (networking.c addReplyHelp): a header line, the
// subcommand lines, then "HELP" and its description, each as a status reply. Knows nothing of which container.

import { array, status, type Reply } from '../reply.js';

export function helpReply(container: string, lines: readonly string[]): Reply {
  return array(
    [
      `${container.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
      ...lines,
      'HELP',
      '    Print this help.',
    ].map(status),
  );
}
