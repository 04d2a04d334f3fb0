// Whether a user may run a command line (acl.c ACLCheckAllUserCommandPerm): one of its selectors must allow the
// command (its bit, or an allowed first argument), every key it names with the access its key spec says (read
// for "access", write for insert/update/delete), and every channel it publishes or subscribes to. When none
// does, the refusal reported is Redis's pick: a command refusal unless some selector got further, then the key or
// channel refusal at the highest argument position. Knows command specs and argv; nothing of clients.

import type { CommandSpec } from '../command.js';
import { keyFlagsOf } from '../commands/command-description.js';
import { globMatch } from '../glob.js';
import { commandKeyPositions, hasKeyArguments } from '../key-specs.js';
import { CommandUniverse } from './command-universe.js';
import { ACL_READ, ACL_WRITE, type Selector } from './selector.js';
import type { User } from './user.js';

/** ACL_DENIED_CMD, _KEY, _CHANNEL in Redis's order of relevance (a larger one wins). */
export const DENIED_COMMAND = 1;
export const DENIED_KEY = 2;
export const DENIED_CHANNEL = 3;

export interface Denial {
  readonly reason: typeof DENIED_COMMAND | typeof DENIED_KEY | typeof DENIED_CHANNEL;
  /** The argument position of the key or channel refused (0 for a command). */
  readonly position: number;
}

/** db.c commands_with_channels: where a command's channels are, and whether they are patterns. */
function channelsOf(name: string, argv: readonly Buffer[]): { position: number; pattern: boolean }[] {
  switch (name) {
    case 'subscribe':
    case 'ssubscribe':
      return argv.slice(1).map((_, i) => ({ position: i + 1, pattern: false }));
    case 'psubscribe':
      return argv.slice(1).map((_, i) => ({ position: i + 1, pattern: true }));
    case 'publish':
    case 'spublish':
      return argv.length > 1 ? [{ position: 1, pattern: false }] : [];
    default:
      return [];
  }
}

/** A key's needed permission from its key spec flags (ACLSelectorCheckKey). */
function neededAccess(flags: readonly string[]): number {
  let access = 0;
  for (const flag of flags) {
    const f = flag.toLowerCase();
    if (f === 'access') access |= ACL_READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') access |= ACL_WRITE;
  }
  return access;
}

interface LineKeys {
  readonly position: number;
  readonly access: number;
}

/** ACLCheckChannelAgainstList: a pattern subscription matches an ACL pattern literally. */
export function channelAllowed(selector: Selector, channel: Buffer, pattern: boolean): boolean {
  if (selector.allChannels) return true;
  for (const allowed of selector.channels) {
    if (pattern ? allowed.equals(channel) : globMatch(allowed, channel)) return true;
  }
  return false;
}

function keyAllowed(selector: Selector, key: Buffer, access: number): boolean {
  if (selector.allKeys) return true;
  for (const p of selector.patterns) {
    if ((p.flags & access) !== access) continue;
    if (globMatch(p.pattern, key)) return true;
  }
  return false;
}

/** ACLSelectorCheckCmd: null when the selector allows the line. */
function checkSelector(
  selector: Selector,
  spec: CommandSpec,
  argv: readonly Buffer[],
  keys: () => readonly LineKeys[],
): Denial | null {
  if (!selector.allCommands && !spec.flags.includes('no_auth')) {
    const command = CommandUniverse.get().command(spec.name);
    if (command === undefined || selector.allowed[command.id] === 0) {
      const firstArgs = command === undefined ? undefined : selector.firstArgs?.get(command.id);
      const at = command?.parent !== null && command?.parent !== undefined ? 2 : 1;
      const given = argv[at]?.toString('latin1').toLowerCase();
      if (
        firstArgs === undefined ||
        given === undefined ||
        !firstArgs.some((a) => a.toLowerCase() === given)
      ) {
        return { reason: DENIED_COMMAND, position: 0 };
      }
    }
  }
  if (!selector.allKeys && hasKeyArguments(spec)) {
    for (const key of keys()) {
      if (!keyAllowed(selector, argv[key.position], key.access)) {
        return { reason: DENIED_KEY, position: key.position };
      }
    }
  }
  if (!selector.allChannels) {
    for (const channel of channelsOf(spec.name, argv)) {
      if (!channelAllowed(selector, argv[channel.position], channel.pattern)) {
        return { reason: DENIED_CHANNEL, position: channel.position };
      }
    }
  }
  return null;
}

/** ACLCheckAllUserCommandPerm: null when allowed, else the refusal Redis reports. */
export function checkCommand(user: User, spec: CommandSpec, argv: readonly Buffer[]): Denial | null {
  let cached: LineKeys[] | null = null;
  const keys = (): readonly LineKeys[] =>
    (cached ??= (commandKeyPositions(spec, argv) ?? []).map((key) => ({
      position: key.position,
      access: neededAccess(keyFlagsOf(spec, argv, key)),
    })));
  let relevant: Denial = { reason: DENIED_COMMAND, position: 0 };
  for (const selector of user.selectors) {
    const denial = checkSelector(selector, spec, argv, keys);
    if (denial === null) return null;
    if (
      denial.reason > relevant.reason ||
      (denial.reason === relevant.reason && denial.position > relevant.position)
    ) {
      relevant = denial;
    }
  }
  return relevant;
}
