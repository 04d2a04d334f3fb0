// One ACL selector (acl.c aclSelector): which commands (a bitmap over the command universe, plus first
// arguments allowed of an otherwise blocked command), which keys (patterns, each for reading, writing or both)
// and which Pub/Sub channels it allows. A user has a root selector and any number of "(...)" selectors; a command
// runs when one of them allows it whole. applyRule is ACLSetSelector, rule for rule, with its errors. Knows
// nothing of users, clients or commands' arguments beyond argv[1].

import { type AclCommand, CommandUniverse, categoryBit } from './command-universe.js';
import { AclRuleError } from './rule-error.js';

export const ACL_READ = 1;
export const ACL_WRITE = 2;
export const ACL_ALL = ACL_READ | ACL_WRITE;

export interface KeyPattern {
  readonly pattern: Buffer;
  /** ACL_READ, ACL_WRITE or both. */
  flags: number;
}

/** C's isspace, or a NUL: acl.c ACLStringHasSpaces. */
export function hasSpaces(bytes: Uint8Array): boolean {
  for (const c of bytes) if (c === 0 || c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  return false;
}

/** C's strcasecmp of an op (a C string: it ends at its first NUL) with a lower-case keyword. */
export function opIs(op: string, keyword: string): boolean {
  const end = op.indexOf('\0');
  return (end < 0 ? op : op.slice(0, end)).toLowerCase() === keyword;
}

export class Selector {
  /** SELECTOR_FLAG_ROOT: the user's own rules, outside any parentheses. */
  readonly root: boolean;
  allKeys = false;
  allChannels = false;
  allCommands = false;
  /** One byte per command id: allowed or not. */
  readonly allowed: Uint8Array;
  /** The reserved bit +@all sets and -@all clears: commands added later would be allowed. */
  future = false;
  /** Allowed first arguments of commands whose bit is clear, by command id (as given, compared without case). */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: Buffer[] = [];

  /** `allChannels`: what acl-pubsub-default gives a selector made now (ACLCreateSelector). */
  constructor(root: boolean, allChannels = false) {
    this.root = root;
    this.allChannels = allChannels;
    this.allowed = new Uint8Array(CommandUniverse.get().byId.length);
  }

  clone(): Selector {
    const copy = new Selector(this.root);
    copy.allKeys = this.allKeys;
    copy.allChannels = this.allChannels;
    copy.allCommands = this.allCommands;
    copy.allowed.set(this.allowed);
    copy.future = this.future;
    copy.firstArgs =
      this.firstArgs === null ? null : new Map([...this.firstArgs].map(([id, args]) => [id, [...args]]));
    copy.patterns = this.patterns.map((p) => ({ pattern: p.pattern, flags: p.flags }));
    copy.channels = [...this.channels];
    return copy;
  }

  /** Allows everything: the default user's selector, and what makes a client unrestricted. */
  get unrestricted(): boolean {
    return this.allCommands && this.allKeys && this.allChannels;
  }

  /** ACLSetSelectorCommandBit: clearing a bit also clears ALLCOMMANDS. */
  setBit(id: number, value: boolean): void {
    this.allowed[id] = value ? 1 : 0;
    if (!value) this.allCommands = false;
  }

  /** ACLChangeSelectorPerm: the command, its first arguments forgotten, and every subcommand of it. */
  changePerm(command: AclCommand, allow: boolean): void {
    this.setBit(command.id, allow);
    this.firstArgs?.delete(command.id);
    for (const sub of command.subcommands) this.setBit(sub.id, allow);
  }

  /** ACLSetSelectorCommandBitsForCategoryLogic over the whole universe. */
  changeCategory(bit: number, allow: boolean): void {
    const visit = (commands: readonly AclCommand[]): void => {
      for (const command of commands) {
        if ((command.categories & bit) !== 0) this.changePerm(command, allow);
        if (command.subcommands.length > 0) visit(command.subcommands);
      }
    };
    visit(CommandUniverse.get().topLevel);
  }

  private setAllCommands(allow: boolean): void {
    this.allowed.fill(allow ? 1 : 0);
    this.future = allow;
    this.allCommands = allow;
    this.firstArgs = null;
  }

  private addFirstArg(id: number, sub: string): void {
    const map = (this.firstArgs ??= new Map<number, string[]>());
    const list = map.get(id) ?? [];
    if (list.some((s) => s.toLowerCase() === sub.toLowerCase())) return;
    list.push(sub);
    map.set(id, list);
  }

  /** acl.c ACLSetSelector: one rule, or an AclRuleError with the errno Redis sets. */
  applyRule(op: Buffer): void {
    const text = op.toString('latin1');
    if (opIs(text, 'allkeys') || opIs(text, '~*')) {
      this.allKeys = true;
      this.patterns = [];
    } else if (opIs(text, 'resetkeys')) {
      this.allKeys = false;
      this.patterns = [];
    } else if (opIs(text, 'allchannels') || opIs(text, '&*')) {
      this.allChannels = true;
      this.channels = [];
    } else if (opIs(text, 'resetchannels')) {
      this.allChannels = false;
      this.channels = [];
    } else if (opIs(text, 'allcommands') || opIs(text, '+@all')) {
      this.setAllCommands(true);
    } else if (opIs(text, 'nocommands') || opIs(text, '-@all')) {
      this.setAllCommands(false);
    } else if (op[0] === 0x7e /* ~ */ || op[0] === 0x25 /* % */) {
      this.addKeyPattern(op);
    } else if (op[0] === 0x26 /* & */) {
      if (this.allChannels) throw new AclRuleError('EISDIR');
      const pattern = op.subarray(1);
      if (hasSpaces(pattern)) throw new AclRuleError('EINVAL');
      if (!this.channels.some((c) => c.equals(pattern))) this.channels.push(Buffer.from(pattern));
      this.allChannels = false;
    } else if (op[0] === 0x2b /* + */ && op[1] !== 0x40 /* @ */) {
      this.allowCommand(cString(text.slice(1)));
    } else if (op[0] === 0x2d /* - */ && op[1] !== 0x40) {
      const command = CommandUniverse.get().lookup(cString(text.slice(1)));
      if (command === undefined) throw new AclRuleError('ENOENT');
      this.changePerm(command, false);
    } else if ((op[0] === 0x2b || op[0] === 0x2d) && op[1] === 0x40) {
      const bit = categoryBit(cString(text.slice(2)));
      if (bit === 0) throw new AclRuleError('ENOENT');
      this.changeCategory(bit, op[0] === 0x2b);
    } else {
      throw new AclRuleError('EINVAL');
    }
  }

  /** ~pattern, %R~pattern, %W~pattern, %RW~pattern (a repeated pattern gains the flags). */
  private addKeyPattern(op: Buffer): void {
    if (this.allKeys) throw new AclRuleError('EEXIST');
    let flags = 0;
    let offset = 1;
    if (op[0] === 0x25) {
      for (; offset < op.length; offset++) {
        const c = op[offset] & 0xdf; // toupper for letters
        if (c === 0x52 /* R */ && (flags & ACL_READ) === 0) flags |= ACL_READ;
        else if (c === 0x57 /* W */ && (flags & ACL_WRITE) === 0) flags |= ACL_WRITE;
        else if (op[offset] === 0x7e) {
          offset++;
          break;
        } else throw new AclRuleError('EINVAL');
      }
      // "%" alone has no permission at all: Redis accepts it and then cannot print it (a panic in ACL LIST).
      if (flags === 0) throw new AclRuleError('EINVAL');
    } else {
      flags = ACL_ALL;
    }
    const pattern = op.subarray(offset);
    if (hasSpaces(pattern)) throw new AclRuleError('EINVAL');
    const existing = this.patterns.find((p) => p.pattern.equals(pattern));
    if (existing === undefined) this.patterns.push({ pattern: Buffer.from(pattern), flags });
    else existing.flags |= flags;
    this.allKeys = false;
  }

  /** +command, +container|sub, +command|first-arg. */
  private allowCommand(name: string): void {
    const universe = CommandUniverse.get();
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const command = universe.lookup(name);
      if (command === undefined) throw new AclRuleError('ENOENT');
      this.changePerm(command, true);
      return;
    }
    const command = universe.lookup(name.slice(0, bar));
    if (command === undefined) throw new AclRuleError('ENOENT');
    if (command.parent !== null) throw new AclRuleError('ECHILD');
    const sub = name.slice(bar + 1);
    if (sub === '') throw new AclRuleError('EINVAL');
    if (command.subcommands.length > 0) {
      const subcommand = universe.lookup(name);
      if (subcommand === undefined) throw new AclRuleError('ENOENT');
      this.changePerm(subcommand, true);
    } else {
      this.addFirstArg(command.id, sub);
    }
  }
}

/** The text up to its first NUL, as C reads an sds. */
function cString(text: string): string {
  const end = text.indexOf('\0');
  return end < 0 ? text : text.slice(0, end);
}
