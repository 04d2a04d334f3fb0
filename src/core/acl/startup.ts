// The ACL users a server starts with (acl.c ACLLoadUsersAtStartup): the default user (requirepass its password),
// then either the "user" directives given at start-up (--user "alice on >pw ~* +@all", as redis.conf's user
// lines) or the aclfile, never both, made under the acl-pubsub-default the configuration gives (Redis reads the
// whole configuration before it loads users). A mistake in either stops the start, with Redis's words for it.

import type { Config } from '../config.js';
import { splitArgs } from '../parser.js';
import { AclRuleError } from './rule-error.js';
import { hasSpaces } from './selector.js';
import { isPubsubDefault } from './user.js';
import { AclUsers } from './users.js';
import { loadAclFile } from './acl-file.js';

export class AclStartupError extends Error {
  readonly code = 'ERR_ACL_STARTUP';
  override name = 'AclStartupError';
}

/** `directives`: each the words after "user" of one user directive ("<name> <rules...>"). */
export function startupUsers(config: Config, directives: readonly string[]): AclUsers {
  const file = config.string('aclfile');
  if (file !== '' && directives.length > 0) {
    throw new AclStartupError(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. ' +
        'This setup is very likely to lead to configuration errors and security holes, please define either an ' +
        'ACL file or declare users directly in your redis.conf, but not both.',
    );
  }
  const pubsubDefault = config.string('acl-pubsub-default');
  if (!isPubsubDefault(pubsubDefault)) throw new Error(`acl-pubsub-default is ${pubsubDefault}`);
  const users = AclUsers.withPassword(config.string('requirepass'));
  const seen = new Set<string>();
  for (const directive of directives) {
    const argv = splitArgs(Buffer.from(directive, 'utf8'), 0, Buffer.byteLength(directive, 'utf8'));
    if (argv === null || argv.length < 1) throw new AclStartupError(`Invalid user directive '${directive}'`);
    const name = argv[0].toString('latin1');
    if (hasSpaces(argv[0])) throw new AclStartupError('Spaces not allowed in ACL usernames');
    if (seen.has(name)) {
      throw new AclStartupError(
        `Error in user declaration '${name}': ${new AclRuleError('EALREADY').message}`,
      );
    }
    seen.add(name);
    // The default user given again starts from "reset" (ACLLoadConfiguredUsers).
    const rules = name === 'default' ? [Buffer.from('reset'), ...argv.slice(1)] : argv.slice(1);
    const result = users.setUser(name, rules, pubsubDefault);
    if ('error' in result) throw new AclStartupError(`Error loading ACL user '${name}': ${result.error}`);
  }
  if (file === '') return users;
  const loaded = loadAclFile(file, pubsubDefault);
  if (!(loaded instanceof AclUsers)) {
    throw new AclStartupError(`Aborting Redis startup because of ACL errors: ${loaded.error}`);
  }
  return loaded;
}
