// Where the server applies ACL to a command line: the executor before it runs or queues one (processCommand),
// EXEC for each queued command (the rules may have changed since it was queued), and a script for each
// redis.call (scriptVerifyACL). Each refusal goes to the ACL log with the context it happened in, and is
// answered with that caller's own words for it. Knows the command context; nothing of transports.

import type { CommandContext, CommandSpec } from '../command.js';
import { callerLine } from '../commands/client.js';
import type { LogContext, LogReason } from './acl-log.js';
import { DENIED_CHANNEL, DENIED_COMMAND, DENIED_KEY, type Denial, checkCommand } from './permission.js';

const REASONS: Record<Denial['reason'], LogReason> = {
  [DENIED_COMMAND]: 'command',
  [DENIED_KEY]: 'key',
  [DENIED_CHANNEL]: 'channel',
};

/** The refusal of this line for the client's user, logged; null when it may run (or there is no ACL). */
export function aclDenial(
  ctx: CommandContext,
  spec: CommandSpec,
  argv: readonly Buffer[],
  context: LogContext,
  /** Whose client the log entry describes: a script's caller for its commands (server.script_caller). */
  logged: CommandContext = ctx,
): Denial | null {
  const acl = ctx.server.acl;
  if (acl === undefined) return null;
  const user = acl.user(ctx.client.user);
  if (user === undefined) return null; // being disconnected (its user was deleted): it runs nothing more
  const denial = checkCommand(user, spec, argv);
  if (denial === null) return null;
  const object = denial.reason === DENIED_COMMAND ? spec.name : argv[denial.position];
  logEntry(logged, REASONS[denial.reason], context, object, ctx.client.user);
  return denial;
}

/** addACLLogEntry: `object` is the command's full name, the key, the channel, or (auth) argv[0]. */
export function logEntry(
  ctx: CommandContext,
  reason: LogReason,
  context: LogContext,
  object: string | Buffer,
  username: string = ctx.client.user,
): void {
  const acl = ctx.server.acl;
  if (acl === undefined) return;
  acl.log.add(
    {
      count: 1,
      reason,
      context,
      object: typeof object === 'string' ? object : object.toString('latin1'),
      username,
      ctime: ctx.server.clock(),
      cinfo: callerLine(ctx),
    },
    Number(ctx.server.config.get('acllog-max-len')[0]?.[1] ?? 128),
  );
}

/** processCommand's NOPERM replies. */
export function deniedAtTopLevel(spec: CommandSpec, denial: Denial): string {
  switch (denial.reason) {
    case DENIED_COMMAND:
      return `NOPERM this user has no permissions to run the '${spec.name}' command`;
    case DENIED_KEY:
      return 'NOPERM this user has no permissions to access one of the keys used as arguments';
    default:
      return 'NOPERM this user has no permissions to access one of the channels used as arguments';
  }
}

/** execCommand's: the rules changed between MULTI and EXEC. */
export function deniedInExec(denial: Denial): string {
  const reason =
    denial.reason === DENIED_COMMAND
      ? 'no permission to execute the command or subcommand'
      : denial.reason === DENIED_KEY
        ? 'no permission to touch the specified keys'
        : 'no permission to access one of the channels used as arguments';
  return (
    'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. ' +
    `This command is no longer allowed for the following reason: ${reason}`
  );
}

/** getAclErrorMessage, as scriptVerifyACL words it. */
export function deniedInScript(denial: Denial): string {
  const what =
    denial.reason === DENIED_COMMAND
      ? "can't run this command or subcommand"
      : denial.reason === DENIED_KEY
        ? "can't access at least one of the keys mentioned in the command arguments"
        : "can't publish to the channel mentioned in the command";
  return `ERR The user executing the script ${what}`;
}
