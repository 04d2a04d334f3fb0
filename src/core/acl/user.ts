// One ACL user (acl.c struct user): on/off, nopass, its password hashes (SHA-256, hex) and its selectors, the
// root one first. applyRule is ACLSetUser: a user rule (on, >pass, reset, "(...)") or else a rule of the root
// selector. describe is ACLDescribeUser, the text after "user <name> " in ACL LIST. Knows nothing of clients; the
// acl-pubsub-default setting reaches it as a value (pubsubDefault), given by whoever makes or stages the user.

import { createHash, timingSafeEqual } from 'node:crypto';
import { describeSelector } from './describe.js';
import { AclRuleError } from './rule-error.js';
import { Selector, opIs } from './selector.js';
import { splitArgs } from '../parser.js';

/** ACLHashPassword: SHA-256 of the bytes, in lower-case hex. */
export function hashPassword(password: Uint8Array): string {
  return createHash('sha256').update(password).digest('hex');
}

/** ACLCheckPasswordHash: 64 characters of 0-9 and a-f. */
function validHash(hash: string): boolean {
  return /^[0-9a-f]{64}$/.test(hash);
}

/**
 * The acl-pubsub-default setting (Redis 7.0; config.c acl_pubsub_default_enum): the channels a selector starts
 * with when it is made (a new user's root selector, a "(...)" selector) and what "reset" leaves.
 */
export type PubsubDefault = 'allchannels' | 'resetchannels';

/** Redis 7.0's acl-pubsub-default. */
export const DEFAULT_PUBSUB_DEFAULT: PubsubDefault = 'resetchannels';

export function isPubsubDefault(value: string): value is PubsubDefault {
  return value === 'allchannels' || value === 'resetchannels';
}

export class User {
  enabled = false;
  nopass = false;
  /** USER_FLAG_SANITIZE_PAYLOAD / _SKIP: only shown (RESTORE's payloads are always checked here). */
  sanitize: 'sanitize-payload' | 'skip-sanitize-payload' | null = null;
  passwords: string[] = [];
  selectors: Selector[];
  /**
   * Which user of this name this is (acl-hub.ts): a user deleted and made again, or loaded anew by ACL LOAD, is
   * another, and the clients of the old one are disconnected. 0: not yet given one. Not one of its rules.
   */
  incarnation = 0;

  /**
   * `name`: the user's name as bytes, read as latin1. `pubsubDefault`: acl-pubsub-default as the user is made or
   * staged (ACLCreateUser reads server.acl_pubsub_default): its root selector's channels, those of the "(...)"
   * selectors its rules add, and what "reset" leaves.
   */
  constructor(
    readonly name: string,
    readonly pubsubDefault: PubsubDefault,
  ) {
    this.selectors = [new Selector(true, pubsubDefault === 'allchannels')];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** Copies the other user's rules into a user named `name`, staged under `pubsubDefault` (ACLCopyUser). */
  copyAs(name: string, pubsubDefault: PubsubDefault): User {
    const copy = new User(name, pubsubDefault);
    copy.enabled = this.enabled;
    copy.nopass = this.nopass;
    copy.sanitize = this.sanitize;
    copy.passwords = [...this.passwords];
    copy.selectors = this.selectors.map((s) => s.clone());
    copy.incarnation = this.incarnation;
    return copy;
  }

  /** Any selector that allows every command, key and channel: the executor then checks nothing. */
  get unrestricted(): boolean {
    return this.selectors.some((s) => s.unrestricted);
  }

  /** ACLSetUser for one rule; throws AclRuleError. */
  applyRule(op: Buffer): void {
    if (op.length === 0) return;
    const text = op.toString('latin1');
    if (opIs(text, 'on')) this.enabled = true;
    else if (opIs(text, 'off')) this.enabled = false;
    else if (opIs(text, 'skip-sanitize-payload')) this.sanitize = 'skip-sanitize-payload';
    else if (opIs(text, 'sanitize-payload')) this.sanitize = 'sanitize-payload';
    else if (opIs(text, 'nopass')) {
      this.nopass = true;
      this.passwords = [];
    } else if (opIs(text, 'resetpass')) {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === 0x3e /* > */ || op[0] === 0x23 /* # */) {
      const hash = op[0] === 0x3e ? hashPassword(op.subarray(1)) : text.slice(1);
      if (op[0] === 0x23 && !validHash(hash)) throw new AclRuleError('EBADMSG');
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === 0x3c /* < */ || op[0] === 0x21 /* ! */) {
      const hash = op[0] === 0x3c ? hashPassword(op.subarray(1)) : text.slice(1);
      if (op[0] === 0x21 && !validHash(hash)) throw new AclRuleError('EBADMSG');
      const at = this.passwords.indexOf(hash);
      if (at < 0) throw new AclRuleError('ENODEV');
      this.passwords.splice(at, 1);
    } else if (op[0] === 0x28 /* ( */ && op[op.length - 1] === 0x29 /* ) */) {
      const selector = new Selector(false, this.pubsubDefault === 'allchannels');
      const inner = splitArgs(op, 1, op.length - 1);
      // Unbalanced quotes split into nothing (sdssplitargs's NULL): Redis then adds an empty selector.
      for (const rule of inner ?? []) selector.applyRule(rule);
      this.selectors.push(selector);
    } else if (opIs(text, 'clearselectors')) {
      this.selectors = [this.root];
    } else if (opIs(text, 'reset')) {
      this.nopass = false;
      this.passwords = [];
      this.root.applyRule(Buffer.from('resetkeys'));
      this.root.applyRule(Buffer.from('resetchannels'));
      if (this.pubsubDefault === 'allchannels') this.root.applyRule(Buffer.from('allchannels'));
      this.enabled = false;
      this.sanitize = 'sanitize-payload';
      this.selectors = [this.root];
      this.root.applyRule(Buffer.from('-@all'));
    } else {
      this.root.applyRule(op);
    }
  }

  /** ACLCheckUserCredentials once the user is found: on, and nopass or one of its passwords. */
  accepts(password: Uint8Array): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    const hashed = Buffer.from(hashPassword(password), 'latin1');
    let ok = false;
    for (const stored of this.passwords) {
      if (timingSafeEqual(hashed, Buffer.from(stored, 'latin1'))) ok = true;
    }
    return ok;
  }

  /** The flags ACL GETUSER lists and ACL LIST starts with, in ACLUserFlags's order. */
  flags(): string[] {
    const flags: string[] = [this.enabled ? 'on' : 'off'];
    if (this.nopass) flags.push('nopass');
    if (this.sanitize !== null) flags.push(this.sanitize);
    return flags;
  }

  /** ACLDescribeUser: flags, #hashes, the root selector's rules, then each other selector in parentheses. */
  describe(): string {
    let text = this.flags().join(' ') + ' ';
    for (const hash of this.passwords) text += `#${hash} `;
    text += describeSelector(this.root);
    for (const selector of this.selectors.slice(1)) text += ` (${describeSelector(selector)})`;
    return text;
  }
}
