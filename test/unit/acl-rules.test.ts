// ACL rules as acl.c parses and prints them: each user below was made with the same ACL SETUSER on redis-server
// 7.0.15, and the line expected is the one its ACL LIST printed (where Redis lists several single commands, in its
// dict's order, which its random hash seed changes from run to run, the expectation has them in the reference's
// order, which is ours). Also every refusal's text, the ACL file's loading and its errors, and that a printed
// line loads back as the same user.

import { describe, expect, it } from 'vitest';
import { describeCommandRules } from '../../src/core/acl/describe.js';
import { Selector } from '../../src/core/acl/selector.js';
import { AclUsers } from '../../src/core/acl/users.js';

function listed(name: string, ...rules: string[]): string {
  const users = new AclUsers();
  const result = users.setUser(
    name,
    rules.map((r) => Buffer.from(r, 'latin1')),
    'resetchannels',
  );
  if ('error' in result) throw new Error(result.error);
  return `user ${name} ${users.get(name)!.describe()}`;
}

function refusal(...rules: string[]): string {
  const result = new AclUsers().setUser(
    'u',
    rules.map((r) => Buffer.from(r, 'latin1')),
    'resetchannels',
  );
  if (!('error' in result)) throw new Error('accepted');
  return result.error;
}

describe('ACL SETUSER rules, printed as ACL LIST', () => {
  it('prints the default user and a new one as Redis does', () => {
    expect(new AclUsers().toLines()).toEqual(['user default on nopass ~* &* +@all']);
    expect(listed('u')).toBe('user u off resetchannels -@all');
  });

  it('prints passwords, key and channel patterns, categories, single commands, first arguments and selectors', () => {
    expect(
      listed(
        'v',
        'on',
        '>p1',
        '~k*',
        '%R~r*',
        '&ch*',
        '+get',
        '+set',
        '+@hash',
        '-hdel',
        '+config|get',
        '+select|0',
        '(+get ~x*)',
      ),
    ).toBe(
      'user v on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a ~k* %R~r* resetchannels &ch* ' +
        '-@all +@hash +config|get +get -hdel +select|0 +set (~x* resetchannels -@all +get)',
    );
  });

  it('describes a bitmap by the categories that fit it best, as Redis picks them', () => {
    expect(listed('w', '+@all', '-@dangerous')).toBe('user w off resetchannels +@all -@dangerous');
    expect(listed('x', '+@all', '-@dangerous', '-get', '+flushall')).toBe(
      'user x off resetchannels +@all -@admin -flushdb -get -info -keys -migrate -restore -restore-asking -sort ' +
        '-sort_ro -swapdb',
    );
    expect(listed('y', '+@read', '+@write', '-@keyspace')).toBe(
      'user y off resetchannels -@all +@sortedset +@string +@hash +@geo +@bitmap +@hyperloglog +@list +@stream ' +
        '+@set +function|delete +function|flush +function|load +function|restore +lolwut +memory|usage ' +
        '-pfselftest -xgroup|help -xinfo|help',
    );
  });

  it('merges a key pattern given twice into its permissions, and prints read+write as ~', () => {
    expect(listed('z', '%RW~a', '%R~b', '%W~b', 'resetchannels', '&x', 'on', 'nopass')).toBe(
      'user z on nopass ~a ~b resetchannels &x -@all',
    );
  });

  it('resets a user to its state at creation, and takes selectors spread over several arguments', () => {
    expect(listed('r', 'on', '>a', '~*', '&*', '+@all', '(+get', '~k)', 'reset')).toBe(
      'user r off sanitize-payload resetchannels -@all',
    );
    expect(listed('s', '(+get', '~k', '%W~w)', 'clearselectors', '(+set)')).toBe(
      'user s off resetchannels -@all (resetchannels -@all +set)',
    );
  });

  it('removes passwords by clear text or hash, and nopass/resetpass drop them all', () => {
    const hash = 'f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a';
    expect(listed('p', '>p1', '>p2', '<p2')).toBe(`user p off #${hash} resetchannels -@all`);
    expect(listed('p', `#${hash}`, `!${hash}`)).toBe('user p off resetchannels -@all');
    expect(listed('p', '>p1', 'nopass')).toBe('user p off nopass resetchannels -@all');
    expect(listed('p', 'nopass', 'resetpass')).toBe('user p off resetchannels -@all');
  });

  it('refuses what Redis refuses, with its words, and leaves the user as it was', () => {
    expect(refusal('foo')).toBe("Error in ACL SETUSER modifier 'foo': Syntax error");
    expect(refusal('+nosuch')).toBe(
      "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL",
    );
    expect(refusal('+@nosuch')).toBe(
      "Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL",
    );
    expect(refusal('+client|list|x')).toBe(
      "Error in ACL SETUSER modifier '+client|list|x': Allowing first-arg of a subcommand is not supported",
    );
    expect(refusal('+config|nosuch')).toContain('Unknown command or category name in ACL');
    expect(refusal('+get|')).toBe("Error in ACL SETUSER modifier '+get|': Syntax error");
    expect(refusal('~*', '~k')).toContain("Try 'resetkeys' to start with an empty list of patterns");
    expect(refusal('&*', '&k')).toContain("Try 'resetchannels' to start with an empty list of channels");
    expect(refusal('<nosuch')).toContain(
      'The password you are trying to remove from the user does not exist',
    );
    expect(refusal('#abc')).toContain('The password hash must be exactly 64 characters');
    expect(refusal('%X~k')).toBe("Error in ACL SETUSER modifier '%X~k': Syntax error");
    expect(refusal('(+get')).toBe("Unmatched parenthesis in acl selector starting at '(+get'.");
    expect(refusal('(foo)')).toBe("Error in ACL SETUSER modifier '(foo)': Syntax error");
    const users = new AclUsers();
    users.setUser('kept', [Buffer.from('on')], 'resetchannels');
    expect(
      'error' in users.setUser('kept', [Buffer.from('off'), Buffer.from('bogus')], 'resetchannels'),
    ).toBe(true);
    expect(users.get('kept')!.enabled).toBe(true);
  });

  it('starts the command rules from -@all after nocommands and +@all after allcommands', () => {
    const selector = new Selector(false);
    selector.applyRule(Buffer.from('allcommands'));
    expect(describeCommandRules(selector)).toBe('+@all');
    selector.applyRule(Buffer.from('-@all'));
    selector.applyRule(Buffer.from('+GET'));
    expect(describeCommandRules(selector)).toBe('-@all +get');
  });
});

describe('acl-pubsub-default allchannels, as redis-server 7.0.15 printed each user', () => {
  const rules = (...r: string[]) => r.map((x) => Buffer.from(x));
  const made = (users: AclUsers, name: string, pubsub: 'allchannels' | 'resetchannels', ...r: string[]) => {
    const result = users.setUser(name, rules(...r), pubsub);
    return 'error' in result ? result.error : `user ${name} ${result.after.describe()}`;
  };

  it('gives a new user and each new selector every channel, and "reset" too', () => {
    const users = new AclUsers();
    expect(made(users, 'n1', 'allchannels')).toBe('user n1 off &* -@all');
    expect(made(users, 'n2', 'allchannels', '(+get)')).toBe('user n2 off &* -@all (&* -@all +get)');
    expect(made(users, 'n5', 'allchannels', 'resetchannels', '(+get ~x)')).toBe(
      'user n5 off resetchannels -@all (~x &* -@all +get)',
    );
    expect(made(users, 'n5', 'allchannels', 'reset')).toBe('user n5 off sanitize-payload &* -@all');
    const pattern =
      "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any " +
      "effect. Try 'resetchannels' to start with an empty list of channels";
    expect(made(users, 'n3', 'allchannels', '(&foo)')).toBe(
      `Error in ACL SETUSER modifier '(&foo)': ${pattern}`,
    );
    expect(made(users, 'n4', 'allchannels', '&foo')).toBe(`Error in ACL SETUSER modifier '&foo': ${pattern}`);
  });

  it('applies the setting at each change: users already made keep their channels', () => {
    const users = new AclUsers();
    made(users, 'n1', 'allchannels');
    made(users, 'n2', 'allchannels', '(+get)');
    expect(made(users, 'n1', 'resetchannels', 'reset')).toBe(
      'user n1 off sanitize-payload resetchannels -@all',
    );
    expect(made(users, 'n2', 'resetchannels', '(+set)')).toBe(
      'user n2 off &* -@all (&* -@all +get) (resetchannels -@all +set)',
    );
    expect(users.defaultUser.describe()).toBe('on nopass ~* &* +@all');
  });

  it('makes the users of an ACL file under it', () => {
    const loaded = AclUsers.fromAclFile(
      'user a on nopass ~* +@all\nuser default on nopass\n',
      'f',
      'allchannels',
    );
    if (!(loaded instanceof AclUsers)) throw new Error(loaded.error);
    expect(loaded.toLines()).toEqual(['user a on nopass ~* &* +@all', 'user default on nopass &* -@all']);
  });
});

describe('the ACL file', () => {
  it('loads back every line ACL LIST prints as the same users', () => {
    const users = new AclUsers();
    users.setUser(
      'v',
      ['on', '>p1', '~k*', '%R~r*', '&ch*', '+@hash', '-hdel', '+select|0', '(+get ~x*)'].map((r) =>
        Buffer.from(r),
      ),
      'resetchannels',
    );
    users.setUser(
      'w',
      ['+@all', '-@dangerous', 'skip-sanitize-payload'].map((r) => Buffer.from(r)),
      'resetchannels',
    );
    const lines = users.toLines();
    const loaded = AclUsers.fromAclFile(lines.join('\n') + '\n', 'users.acl', 'resetchannels');
    if (!(loaded instanceof AclUsers)) throw new Error(loaded.error);
    expect(loaded.toLines()).toEqual(lines);
  });

  it('gives the default user back as Redis has it when the file does not name it', () => {
    const loaded = AclUsers.fromAclFile('user a on nopass ~* +@all\n\n', 'f', 'resetchannels');
    if (!(loaded instanceof AclUsers)) throw new Error(loaded.error);
    expect(loaded.toLines()).toEqual([
      'user a on nopass ~* resetchannels +@all',
      'user default on nopass ~* &* +@all',
    ]);
  });

  it("collects every line's error in Redis's words and loads nothing", () => {
    const loaded = AclUsers.fromAclFile(
      'foo bar\nuser a +nosuch\nuser a on\nuser b bogus ~x\n',
      'users.acl',
      'resetchannels',
    );
    expect(loaded).toEqual({
      error:
        'users.acl:1 should start with user keyword followed by the username. ' +
        "users.acl:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
        "WARNING: Duplicate user 'a' found on line 3. " +
        'users.acl:4: Syntax error. ' +
        'WARNING: ACL errors detected, no change to the previously active ACL rules was performed',
    });
  });
});
