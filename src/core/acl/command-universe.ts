// The commands ACL rules speak of: every command and subcommand of redis-server 7.0.15 (its orig_commands), each
// with an id (a bit in a selector's command bitmap, acl.c ACLGetCommandID) and its categories as a bitmask. Rules
// may name commands redis-lite does not run (+cluster, -module), as Redis accepts them, and category counts (ACL
// GETUSER's best-fit description) must be Redis's own, so the universe is Redis's command reference, not our
// table. Immutable, built once on first use. Knows nothing of users or clients.

import { commandReference } from '../commands/redis-command-reference.js';
import { REDIS_COMMAND_REFERENCE_JSON } from '../commands/redis-command-reference.generated.js';

/** acl.c ACLCommandCategories, in its order (ACL CAT lists them so; the best-fit description tries them so). */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
] as const;

/** One command of the universe. */
export interface AclCommand {
  readonly id: number;
  /** Lower case; a subcommand is "container|sub". */
  readonly fullName: string;
  /** Bit j set: in ACL_CATEGORIES[j]. */
  readonly categories: number;
  readonly parent: AclCommand | null;
  readonly subcommands: readonly AclCommand[];
}

/** Subcommands the reference carries from Redis 7.2 (for COMMAND DOCS), which 7.0.15's ACL does not know. */
const NOT_IN_7_0 = new Set(['client|setinfo', 'client|no-touch']);

export class CommandUniverse {
  /** Top-level commands, in the reference's order (the order single-command rules are described in). */
  readonly topLevel: readonly AclCommand[];
  /** Every command and subcommand, by id. */
  readonly byId: readonly AclCommand[];
  private readonly byName: ReadonlyMap<string, AclCommand>;

  private constructor() {
    const names = Object.keys(JSON.parse(REDIS_COMMAND_REFERENCE_JSON) as object).filter(
      (name) => !NOT_IN_7_0.has(name),
    );
    const byName = new Map<string, AclCommand & { subcommands: AclCommand[] }>();
    const byId: AclCommand[] = [];
    const topLevel: AclCommand[] = [];
    for (const name of names) {
      const bar = name.indexOf('|');
      const parent = bar < 0 ? null : (byName.get(name.slice(0, bar)) ?? null);
      const command = {
        id: byId.length,
        fullName: name,
        categories: categoryMask(commandReference(name)?.aclCategories ?? []),
        parent,
        subcommands: [] as AclCommand[],
      };
      byName.set(name, command);
      byId.push(command);
      if (parent === null) topLevel.push(command);
      else (parent as { subcommands: AclCommand[] }).subcommands.push(command);
    }
    this.byName = byName;
    this.byId = byId;
    this.topLevel = topLevel;
  }

  private static instance: CommandUniverse | null = null;

  static get(): CommandUniverse {
    return (CommandUniverse.instance ??= new CommandUniverse());
  }

  /** By lower-case full name ("get", "config|get"). */
  command(fullName: string): AclCommand | undefined {
    return this.byName.get(fullName);
  }

  /**
   * acl.c ACLLookupCommand (lookupCommandBySdsLogic, strict): "name" or "container|sub", case-insensitive;
   * a subcommand of a command without subcommands, or more than one "|", is no command.
   */
  lookup(name: string): AclCommand | undefined {
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return undefined;
    const base = this.byName.get(parts[0]);
    if (base === undefined || base.parent !== null) return undefined;
    if (parts.length === 1) return base;
    if (base.subcommands.length === 0) return undefined;
    return this.byName.get(`${parts[0]}|${parts[1]}`);
  }
}

/** The bit of a category name (without "@"), case-insensitive; 0 for none. */
export function categoryBit(name: string): number {
  const index = (ACL_CATEGORIES as readonly string[]).indexOf(name.toLowerCase());
  return index < 0 ? 0 : 1 << index;
}

function categoryMask(categories: readonly string[]): number {
  let mask = 0;
  for (const c of categories) mask |= categoryBit(c.slice(1));
  return mask;
}
