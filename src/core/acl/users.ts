// The set of ACL users (acl.c's Users radix tree): the "default" user always, others by name, listed in byte
// order as the radix tree walks them. setUser is ACLStringSetUser (rules staged on a copy, applied all or
// nothing, selectors spread over several arguments merged first); the text form (one "user <name> <rules>" line
// per user, ACL LIST's) is how the users travel between threads and to the ACL file. Knows nothing of clients.

import { AclRuleError } from './rule-error.js';
import { hasSpaces } from './selector.js';
import { type PubsubDefault, User } from './user.js';

/** ACLCreateDefaultUser: "&*" whatever acl-pubsub-default says. */
function defaultUser(pubsubDefault: PubsubDefault): User {
  const user = new User('default', pubsubDefault);
  for (const rule of ['+@all', '~*', '&*', 'on', 'nopass']) user.applyRule(Buffer.from(rule));
  return user;
}

/**
 * ACLMergeSelectorArguments: "(" ... ")" spread over several arguments joined with spaces; when one never
 * closes, the index of its opening argument instead.
 */
export function mergeSelectorArguments(args: readonly Buffer[]): Buffer[] | { unmatched: number } {
  const merged: Buffer[] = [];
  let open = -1;
  let selector: Buffer[] = [];
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op[0] === 0x28 && op[op.length - 1] !== 0x29) {
      selector = [op];
      open = j;
      continue;
    }
    if (open !== -1) {
      selector.push(Buffer.from(' '), op);
      if (op[op.length - 1] === 0x29) {
        open = -1;
        merged.push(Buffer.concat(selector));
      }
      continue;
    }
    merged.push(op);
  }
  return open === -1 ? merged : { unmatched: open };
}

/** C's %s of an argument: up to its first NUL. */
function shown(op: Buffer): string {
  const end = op.indexOf(0);
  return (end < 0 ? op : op.subarray(0, end)).toString('latin1');
}

export class AclUsers {
  // ACLInitDefaultUser runs before the configuration is read: the setting's own default then.
  private readonly users = new Map<string, User>([['default', defaultUser('resetchannels')]]);

  /** Redis's users at start-up: the default user, requirepass its password if set (updateRequirePass). */
  static withPassword(requirepass: string): AclUsers {
    const users = new AclUsers();
    if (requirepass !== '') users.defaultUser.applyRule(Buffer.from(`>${requirepass}`, 'utf8'));
    return users;
  }

  get(name: string): User | undefined {
    return this.users.get(name);
  }

  get defaultUser(): User {
    return this.users.get('default')!;
  }

  /** Every user, in the radix tree's order (bytes compared). */
  list(): User[] {
    return [...this.users.values()].sort((a, b) =>
      Buffer.compare(Buffer.from(a.name, 'latin1'), Buffer.from(b.name, 'latin1')),
    );
  }

  /**
   * ACLStringSetUser: the rules applied to a copy of the user (a new one if absent), made under acl-pubsub-default
   * `pubsubDefault`, which replaces it only if every rule was accepted. Returns the error text ("Error in ACL
   * SETUSER modifier ..."), or the user as it was before (null: created now) and as it is now.
   */
  setUser(
    name: string,
    args: readonly Buffer[],
    pubsubDefault: PubsubDefault,
  ): { error: string } | { before: User | null; after: User } {
    const merged = mergeSelectorArguments(args);
    if (!Array.isArray(merged)) {
      return {
        error: `Unmatched parenthesis in acl selector starting at '${shown(args[merged.unmatched])}'.`,
      };
    }
    const before = this.users.get(name) ?? null;
    const staged = before === null ? new User(name, pubsubDefault) : before.copyAs(name, pubsubDefault);
    for (const op of merged) {
      try {
        staged.applyRule(op);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        return { error: `Error in ACL SETUSER modifier '${shown(op)}': ${e.message}` };
      }
    }
    this.users.set(name, staged);
    return { before, after: staged };
  }

  /** ACL LOAD: these users instead (the default user's incarnation kept: Redis copies into its DefaultUser). */
  replaceWith(other: AclUsers): void {
    const incarnation = this.defaultUser.incarnation;
    this.users.clear();
    for (const user of other.list()) this.users.set(user.name, user);
    this.defaultUser.incarnation = incarnation;
  }

  /** Removes a user other than "default"; false if there was none. */
  delete(name: string): boolean {
    if (name === 'default') throw new Error('the default user cannot be removed');
    return this.users.delete(name);
  }

  /** Every user as ACL LIST prints it: "user <name> <rules>". */
  toLines(): string[] {
    return this.list().map((u) => `user ${u.name} ${u.describe()}`);
  }

  /**
   * acl.c ACLLoadFromFile over the file's text: lines trimmed, split on single spaces, each "user <name> <rules>";
   * the rules of a line are applied one by one to a new user of a fresh set, made under acl-pubsub-default
   * `pubsubDefault`. Every problem found is collected, worded as Redis words it (`file` names the file in them);
   * with any, nothing is loaded and the text of them all is returned. The default user is Redis's own when the
   * text does not define it.
   */
  static fromAclFile(text: string, file: string, pubsubDefault: PubsubDefault): AclUsers | { error: string } {
    const users = new AclUsers();
    users.users.clear();
    let errors = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const at = i + 1;
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${file}:${at} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1];
      if (hasSpaces(Buffer.from(name, 'latin1'))) {
        errors += `'${file}:${at}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (users.users.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${at}. `;
        continue;
      }
      const user = new User(name, pubsubDefault);
      users.users.set(name, user);
      const merged = mergeSelectorArguments(argv.slice(2).map((a) => Buffer.from(a, 'latin1')));
      if (!Array.isArray(merged)) {
        errors += `${file}:${at}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      let syntaxError = false;
      for (const arg of merged) {
        const op = Buffer.from(arg.toString('latin1').replace(/^[\t\r\n]+|[\t\r\n]+$/g, ''), 'latin1');
        try {
          user.applyRule(op);
        } catch (e) {
          if (!(e instanceof AclRuleError)) throw e;
          if (e.errno === 'ENOENT') {
            errors += `${file}:${at}: Error in applying operation '${shown(op)}': ${e.message}. `;
          } else if (!syntaxError) {
            errors += `${file}:${at}: ${e.message}. `;
            syntaxError = true;
          }
        }
      }
    }
    if (errors !== '') {
      return {
        error: `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed`,
      };
    }
    if (!users.users.has('default')) users.users.set('default', defaultUser(pubsubDefault));
    return users;
  }
}
