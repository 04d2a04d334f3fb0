// Connection commands through the real executor: PING ECHO QUIT SELECT AUTH HELLO RESET CLIENT, with Redis 7's
// exact replies and error lines.

import { describe, expect, it } from 'vitest';
import type { ClientInfo, ClientState } from '../../src/core/command.js';
import { execute } from '../../src/core/executor.js';
import {
  array,
  bulkString,
  error,
  fieldMap,
  integer,
  NIL,
  OK,
  status,
  type Reply,
} from '../../src/core/reply.js';
import { createTestContext } from '../support/context.js';

/** A bulk's bytes, or a verbatim string's text (CLIENT LIST and INFO are verbatim, as in Redis 7.0). */
const text = (reply: Reply): string => {
  if (reply.kind !== 'bulk' && reply.kind !== 'verbatim')
    throw new Error(`expected a bulk, got ${JSON.stringify(reply)}`);
  return Buffer.from(reply.value).toString('latin1');
};

const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.');
const NOAUTH = error('NOAUTH Authentication required.');

describe('PING / ECHO', () => {
  it('PING answers PONG, or its argument as a bulk', () => {
    const ctx = createTestContext();
    expect(ctx.run('PING')).toEqual(status('PONG'));
    expect(ctx.run('ping', 'hello world')).toEqual(bulkString('hello world'));
    expect(ctx.run('PING', Buffer.from([0, 0xff]))).toEqual({ kind: 'bulk', value: Buffer.from([0, 0xff]) });
    expect(ctx.run('PING', 'a', 'b')).toEqual(error("ERR wrong number of arguments for 'ping' command"));
  });

  it('ECHO returns its argument byte for byte', () => {
    const ctx = createTestContext();
    expect(ctx.run('ECHO', '')).toEqual(bulkString(''));
    expect(ctx.run('ECHO', 'a\r\nb')).toEqual(bulkString('a\r\nb'));
    expect(ctx.run('ECHO')).toEqual(error("ERR wrong number of arguments for 'echo' command"));
  });
});

describe('QUIT', () => {
  it('answers OK and asks for the connection to close after the reply', () => {
    const ctx = createTestContext();
    expect(ctx.client.closeAfterReply).toBe(false);
    expect(ctx.run('QUIT')).toEqual(OK);
    expect(ctx.client.closeAfterReply).toBe(true);
  });

  it('works before AUTH', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    expect(ctx.run('QUIT')).toEqual(OK);
  });
});

describe('SELECT', () => {
  it("accepts databases 0 to 15 (databases 16), and changes the client's database", () => {
    const ctx = createTestContext();
    expect(ctx.run('SELECT', '15')).toEqual(OK);
    expect(ctx.client.db).toBe(15);
    expect(ctx.store.db).toBe(15);
    expect(ctx.run('SELECT', '0')).toEqual(OK);
    expect(ctx.run('SELECT', '1')).toEqual(OK);
    expect(ctx.run('SELECT', '16')).toEqual(error('ERR DB index is out of range'));
    expect(ctx.run('SELECT', '-1')).toEqual(error('ERR DB index is out of range'));
    expect(ctx.client.db).toBe(1);
  });

  it('rejects non-integers and values beyond an int', () => {
    const ctx = createTestContext();
    for (const bad of ['x', '1.5', ' 1', '', '99999999999999999999']) {
      expect(ctx.run('SELECT', bad)).toEqual(error('ERR value is not an integer or out of range'));
    }
    expect(ctx.run('SELECT', '2147483648')).toEqual(
      error('ERR value is out of range, value must between -2147483648 and 2147483647'),
    );
    // Past 2^53 but within int64: still Redis's int-range error, not "not an integer".
    expect(ctx.run('SELECT', '9007199254740993')).toEqual(
      error('ERR value is out of range, value must between -2147483648 and 2147483647'),
    );
  });
});

describe('AUTH', () => {
  it('without a configured password: the legacy form errors, the default user accepts anything', () => {
    const ctx = createTestContext();
    expect(ctx.run('AUTH', 'x')).toEqual(
      error(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      ),
    );
    expect(ctx.run('AUTH', 'default', 'anything')).toEqual(OK);
    expect(ctx.run('AUTH', 'alice', 'anything')).toEqual(WRONGPASS);
  });

  it('with requirepass: NOAUTH until the right password, then commands run', () => {
    const ctx = createTestContext({ requirepass: 's3cret' });
    expect(ctx.run('PING')).toEqual(NOAUTH);
    expect(ctx.run('AUTH', 'wrong')).toEqual(WRONGPASS);
    expect(ctx.run('AUTH', 'alice', 's3cret')).toEqual(WRONGPASS);
    expect(ctx.run('PING')).toEqual(NOAUTH);
    expect(ctx.run('AUTH', 's3cret')).toEqual(OK);
    expect(ctx.run('PING')).toEqual(status('PONG'));
  });

  it('accepts the two-argument form with the default user', () => {
    const ctx = createTestContext({ requirepass: 's3cret' });
    expect(ctx.run('AUTH', 'default', 's3cret')).toEqual(OK);
    expect(ctx.client.authenticated).toBe(true);
  });

  it('a failed AUTH does not log an authenticated client out (Redis 7)', () => {
    const ctx = createTestContext({ requirepass: 's3cret' });
    ctx.run('AUTH', 's3cret');
    expect(ctx.run('AUTH', 'nope')).toEqual(WRONGPASS);
    expect(ctx.run('PING')).toEqual(status('PONG'));
  });

  it('too many arguments is a syntax error', () => {
    expect(createTestContext({ requirepass: 'p' }).run('AUTH', 'a', 'b', 'c')).toEqual(
      error('ERR syntax error'),
    );
  });

  it('reads requirepass live: CONFIG SET requirepass takes effect for the next command', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG', 'SET', 'requirepass', 'newpw')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(NOAUTH);
    expect(ctx.run('AUTH', 'newpw')).toEqual(OK);
    expect(ctx.run('GET', 'k')).toEqual(NIL);
  });

  it('compares passwords as bytes (UTF-8)', () => {
    const ctx = createTestContext({ requirepass: 'pässwörd' });
    expect(ctx.run('AUTH', Buffer.from('pässwörd', 'latin1'))).toEqual(WRONGPASS);
    expect(ctx.run('AUTH', Buffer.from('pässwörd', 'utf8'))).toEqual(OK);
  });
});

/** HELLO's map, as Redis 7.0 answers it (the encoder writes it flat in RESP2). */
const helloReply = (id: number, proto = 2): Reply =>
  fieldMap([
    ['server', bulkString('redis')],
    ['version', bulkString('7.0.0')],
    ['proto', integer(proto)],
    ['id', integer(id)],
    ['mode', bulkString('standalone')],
    ['role', bulkString('master')],
    ['modules', array([])],
  ]);

describe('HELLO', () => {
  it('answers the server map for no version and for version 2', () => {
    const ctx = createTestContext();
    expect(ctx.run('HELLO')).toEqual(helloReply(1));
    expect(ctx.run('HELLO', '2')).toEqual(helloReply(1));
    expect(ctx.client.resp).toBe(2);
  });

  it('HELLO 3 switches the client to RESP3 and HELLO 2 back; without a version it stays as it is', () => {
    const ctx = createTestContext();
    expect(ctx.run('HELLO', '3')).toEqual(helloReply(1, 3));
    expect(ctx.client.resp).toBe(3);
    expect(ctx.run('HELLO')).toEqual(helloReply(1, 3));
    expect(ctx.client.resp).toBe(3);
    expect(ctx.run('HELLO', '2')).toEqual(helloReply(1, 2));
    expect(ctx.client.resp).toBe(2);
  });

  it('refuses other versions with NOPROTO, leaving the protocol as it was', () => {
    const ctx = createTestContext();
    ctx.run('HELLO', '3');
    for (const v of ['1', '4', '0', '-3'])
      expect(ctx.run('HELLO', v)).toEqual(error('NOPROTO unsupported protocol version'));
    expect(ctx.run('HELLO', 'x')).toEqual(error('ERR Protocol version is not an integer or out of range'));
    expect(ctx.client.resp).toBe(3);
  });

  it('a refused option leaves the protocol as it was', () => {
    const ctx = createTestContext();
    expect(ctx.run('HELLO', '3', 'SETNAME', 'a b')).toMatchObject({ kind: 'error' });
    expect(ctx.run('HELLO', '3', 'BOGUS')).toMatchObject({ kind: 'error' });
    expect(ctx.client.resp).toBe(2);
  });

  it('reports an unknown or incomplete option', () => {
    const ctx = createTestContext();
    expect(ctx.run('HELLO', '2', 'FOO')).toEqual(error("ERR Syntax error in HELLO option 'FOO'"));
    expect(ctx.run('HELLO', '2', 'AUTH', 'default')).toEqual(
      error("ERR Syntax error in HELLO option 'AUTH'"),
    );
    expect(ctx.run('HELLO', '2', 'SETNAME')).toEqual(error("ERR Syntax error in HELLO option 'SETNAME'"));
  });

  it('sets the name with SETNAME, validating it like CLIENT SETNAME', () => {
    const ctx = createTestContext();
    expect(ctx.run('HELLO', '2', 'SETNAME', 'worker-1')).toEqual(helloReply(1));
    expect(ctx.client.name).toBe('worker-1');
    expect(ctx.run('HELLO', '2', 'SETNAME', 'my name')).toEqual(
      error('ERR Client names cannot contain spaces, newlines or special characters.'),
    );
    expect(ctx.client.name).toBe('worker-1');
  });

  it('with requirepass: refuses an unauthenticated HELLO, authenticates with AUTH', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    expect(ctx.run('HELLO', '2')).toEqual(
      error(
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
      ),
    );
    // Redis 7.0 checks authentication before switching: NOAUTH, and the protocol stays RESP2.
    expect(ctx.run('HELLO', '3')).toMatchObject({ kind: 'error', value: expect.stringMatching(/^NOAUTH /) });
    expect(ctx.client.resp).toBe(2);
    expect(ctx.run('HELLO', '4')).toEqual(error('NOPROTO unsupported protocol version'));
    expect(ctx.run('HELLO', '2', 'AUTH', 'default', 'bad')).toEqual(WRONGPASS);
    expect(ctx.run('HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'app')).toEqual(helloReply(1));
    expect(ctx.client.authenticated).toBe(true);
    expect(ctx.client.name).toBe('app');
    expect(ctx.run('PING')).toEqual(status('PONG'));
    expect(ctx.run('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'resp3')).toEqual(helloReply(1, 3));
    expect(ctx.client.name).toBe('resp3');
    expect(ctx.client.resp).toBe(3);
  });

  it('takes its options in order as Redis 7.0 does: AUTH at once, SETNAME checked where it stands', () => {
    const nameError = error('ERR Client names cannot contain spaces, newlines or special characters.');
    const unauthenticated = createTestContext({ requirepass: 'pw' });
    expect(unauthenticated.run('HELLO', '3', 'SETNAME', 'a b')).toEqual(nameError);
    expect(unauthenticated.run('HELLO', '3', 'SETNAME', 'a b', 'AUTH', 'default', 'pw')).toEqual(nameError);
    expect(unauthenticated.client.authenticated).toBe(false);
    expect(unauthenticated.run('HELLO', '2', 'AUTH', 'default', 'pw', 'BOGUS')).toEqual(
      error("ERR Syntax error in HELLO option 'BOGUS'"),
    );
    expect(unauthenticated.client.authenticated).toBe(true);
    const other = createTestContext({ requirepass: 'pw' });
    expect(other.run('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'a b')).toEqual(nameError);
    expect(other.client.authenticated).toBe(true);
  });
});

describe('RESET', () => {
  it('goes back to RESP2, as Redis 7.0 clearClientConnectionState', () => {
    const ctx = createTestContext();
    ctx.run('HELLO', '3');
    expect(ctx.run('RESET')).toEqual(status('RESET'));
    expect(ctx.client.resp).toBe(2);
  });

  it('answers RESET and clears the name and authentication', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    ctx.run('AUTH', 'pw');
    ctx.run('CLIENT', 'SETNAME', 'x');
    expect(ctx.run('RESET')).toEqual(status('RESET'));
    expect(ctx.client.name).toBe('');
    expect(ctx.run('PING')).toEqual(NOAUTH);
  });

  it('keeps a password-less client usable', () => {
    const ctx = createTestContext();
    expect(ctx.run('RESET')).toEqual(status('RESET'));
    expect(ctx.run('PING')).toEqual(status('PONG'));
  });
});

describe('no_auth flags (Redis 7)', () => {
  it('AUTH, HELLO, QUIT and RESET carry no_auth; the others do not', () => {
    const ctx = createTestContext();
    const flags = (name: string) => ctx.server.commands.lookup(name)?.flags ?? [];
    for (const name of ['auth', 'hello', 'quit', 'reset']) expect(flags(name)).toContain('no_auth');
    for (const name of ['ping', 'echo', 'select', 'client|setname', 'client|id']) {
      expect(flags(name)).not.toContain('no_auth');
    }
  });
});

describe('CLIENT SETNAME / GETNAME / ID', () => {
  it('names the connection; an empty name clears it', () => {
    const ctx = createTestContext();
    expect(ctx.run('CLIENT', 'GETNAME')).toEqual(NIL);
    expect(ctx.run('CLIENT', 'SETNAME', 'conn-1')).toEqual(OK);
    expect(ctx.run('client', 'getname')).toEqual(bulkString('conn-1'));
    expect(ctx.run('CLIENT', 'SETNAME', '')).toEqual(OK);
    expect(ctx.run('CLIENT', 'GETNAME')).toEqual(NIL);
  });

  it('refuses spaces, newlines and special characters', () => {
    const ctx = createTestContext();
    for (const bad of ['a b', 'a\nb', 'a\x01', 'é']) {
      expect(ctx.run('CLIENT', 'SETNAME', bad)).toEqual(
        error('ERR Client names cannot contain spaces, newlines or special characters.'),
      );
    }
  });

  it('CLIENT ID is the connection id', () => {
    expect(createTestContext().run('CLIENT', 'ID')).toEqual(integer(1));
  });

  it('arity and unknown subcommands are reported as Redis 7 does', () => {
    const ctx = createTestContext();
    expect(ctx.run('CLIENT')).toEqual(error("ERR wrong number of arguments for 'client' command"));
    expect(ctx.run('CLIENT', 'SETNAME')).toEqual(
      error("ERR wrong number of arguments for 'client|setname' command"),
    );
    expect(ctx.run('CLIENT', 'NOPE')).toEqual(error("ERR unknown subcommand 'NOPE'. Try CLIENT HELP."));
  });
});

function other(id: number, overrides: Partial<ClientInfo> = {}): ClientInfo {
  return {
    id,
    addr: `127.0.0.1:${50000 + id}`,
    laddr: '127.0.0.1:6379',
    name: '',
    db: 0,
    createdAt: 1_700_000_000_000,
    lastInteraction: 1_700_000_000_000,
    lastCommand: 'get',
    queryBuffer: 0,
    outputBuffer: 0,
    ...overrides,
  };
}

describe('CLIENT LIST / INFO', () => {
  it('formats the line as Redis 7, with the caller read live', () => {
    const ctx = createTestContext({
      clients: () => [other(1, { fd: 9, queryBuffer: 26, outputBuffer: 5 }), other(2, { name: 'bob' })],
    });
    ctx.run('CLIENT', 'SETNAME', 'me');
    ctx.clock.advance(3_500);
    expect(text(ctx.run('CLIENT', 'LIST'))).toBe(
      'id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=9 name=me age=3 idle=0 flags=N db=0 sub=0 psub=0 ' +
        'ssub=0 multi=-1 qbuf=26 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=26 rbp=0 obl=0 oll=0 omem=5 tot-mem=31 ' +
        'events=r cmd=client|list user=default redir=-1 resp=2\n' +
        'id=2 addr=127.0.0.1:50002 laddr=127.0.0.1:6379 fd=-1 name=bob age=3 idle=3 flags=N db=0 sub=0 psub=0 ' +
        'ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ' +
        'events=r cmd=get user=default redir=-1 resp=2\n',
    );
  });

  it('includes the caller even when the transport does not list it', () => {
    const ctx = createTestContext();
    expect(text(ctx.run('CLIENT', 'LIST'))).toMatch(
      /^id=1 addr=127\.0\.0\.1:50000 .* cmd=client\|list user=default redir=-1 resp=2\n$/,
    );
  });

  it('filters by TYPE and ID', () => {
    const ctx = createTestContext({ clients: () => [other(1), other(2), other(3)] });
    expect(text(ctx.run('CLIENT', 'LIST', 'TYPE', 'normal')).split('\n').length).toBe(4);
    expect(text(ctx.run('CLIENT', 'LIST', 'TYPE', 'pubsub'))).toBe('');
    expect(ctx.run('CLIENT', 'LIST', 'TYPE', 'bogus')).toEqual(error("ERR Unknown client type 'bogus'"));
    const ids = text(ctx.run('CLIENT', 'LIST', 'ID', '3', '99', '2'))
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(ids).toEqual(['id=3', 'id=2']);
    expect(ctx.run('CLIENT', 'LIST', 'ID', 'x')).toEqual(error('ERR Invalid client ID'));
    expect(ctx.run('CLIENT', 'LIST', 'FOO')).toEqual(error('ERR syntax error'));
  });

  it("is verbatim text, and shows each client's protocol (resp=)", () => {
    const ctx = createTestContext({ clients: () => [other(1), other(2, { resp: 3 })] });
    ctx.run('HELLO', '3');
    const list = ctx.run('CLIENT', 'LIST');
    expect(list.kind).toBe('verbatim');
    expect(text(list).match(/resp=\d/g)).toEqual(['resp=3', 'resp=3']);
    expect(ctx.run('CLIENT', 'INFO')).toMatchObject({ kind: 'verbatim', format: 'txt' });
    expect(text(ctx.run('CLIENT', 'INFO'))).toMatch(/ resp=3\n$/);
    expect(text(ctx.run('CLIENT', 'LIST', 'ID', '99'))).toBe('');
  });

  it("CLIENT INFO is the caller's own line", () => {
    const ctx = createTestContext();
    ctx.run('CLIENT', 'SETNAME', 'solo');
    expect(text(ctx.run('CLIENT', 'INFO'))).toMatch(
      /^id=1 addr=127\.0\.0\.1:50000 laddr=127\.0\.0\.1:6379 fd=-1 name=solo .*cmd=client\|info user=default redir=-1 resp=2\n$/,
    );
  });

  it('CLIENT INFO asks the transport for the caller alone, never for the whole list', () => {
    const ctx = createTestContext({
      clients: () => {
        throw new Error('CLIENT INFO listed every client');
      },
      client: (id) => (id === 1 ? other(1, { queryBuffer: 7, fd: 12 }) : undefined),
    });
    expect(text(ctx.run('CLIENT', 'INFO'))).toMatch(/^id=1 addr=127\.0\.0\.1:50000 .*fd=12 .*qbuf=7 /);
  });
});

describe('CLIENT KILL', () => {
  it('kills another client by ID through the transport, skipping the caller by default', () => {
    const killed: number[] = [];
    const ctx = createTestContext({
      clients: () => [other(1), other(2), other(3)],
      killClient: (id) => (killed.push(id), true),
    });
    expect(ctx.run('CLIENT', 'KILL', 'ID', '2')).toEqual(integer(1));
    expect(killed).toEqual([2]);
    expect(ctx.run('CLIENT', 'KILL', 'ID', '1')).toEqual(integer(0));
    expect(ctx.run('CLIENT', 'KILL', 'ID', '99')).toEqual(integer(0));
    expect(ctx.run('CLIENT', 'KILL', 'LADDR', '127.0.0.1:6379')).toEqual(integer(2));
    expect(ctx.client.closeAfterReply).toBe(false);
  });

  it('the old addr form kills the caller too, after its reply; no match is an error', () => {
    const ctx = createTestContext({ clients: () => [other(1)], killClient: () => true });
    expect(ctx.run('CLIENT', 'KILL', '10.0.0.1:1')).toEqual(error('ERR No such client'));
    expect(ctx.run('CLIENT', 'KILL', '127.0.0.1:50000')).toEqual(OK);
    expect(ctx.client.closeAfterReply).toBe(true);
  });

  it('SKIPME no kills the caller', () => {
    const ctx = createTestContext({ killClient: () => true });
    expect(ctx.run('CLIENT', 'KILL', 'ID', '1', 'SKIPME', 'no')).toEqual(integer(1));
    expect(ctx.client.closeAfterReply).toBe(true);
  });

  it('validates its options', () => {
    const ctx = createTestContext({ killClient: () => true });
    expect(ctx.run('CLIENT', 'KILL', 'ID', '0')).toEqual(error('ERR client-id should be greater than 0'));
    expect(ctx.run('CLIENT', 'KILL', 'ID', 'x')).toEqual(error('ERR client-id should be greater than 0'));
    expect(ctx.run('CLIENT', 'KILL', 'ID', '2', 'SKIPME', 'maybe')).toEqual(error('ERR syntax error'));
    expect(ctx.run('CLIENT', 'KILL', 'ID', '2', 'FOO')).toEqual(error('ERR syntax error'));
    expect(ctx.run('CLIENT', 'KILL', 'BAR', '2')).toEqual(error('ERR syntax error'));
  });

  it('says so when the transport cannot kill clients', () => {
    const ctx = createTestContext({ clients: () => [other(1), other(2)] });
    expect(ctx.run('CLIENT', 'KILL', 'ID', '2')).toEqual(
      error('ERR CLIENT KILL is not supported by the eventloop transport'),
    );
    expect(ctx.run('CLIENT', 'KILL', 'LADDR', '127.0.0.1:6379', 'SKIPME', 'no')).toEqual(
      error('ERR CLIENT KILL is not supported by the eventloop transport'),
    );
    expect(ctx.client.closeAfterReply).toBe(false);
    expect(ctx.run('CLIENT', 'KILL', 'ID', '1', 'SKIPME', 'no')).toEqual(integer(1)); // oneself needs no transport
  });
});

describe('CLIENT SETINFO / NO-EVICT / NO-TOUCH / HELP', () => {
  it('accepts what node-redis and redis-cli 7.2 send', () => {
    const ctx = createTestContext();
    expect(ctx.run('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis')).toEqual(OK);
    expect(ctx.run('CLIENT', 'SETINFO', 'lib-ver', '4.6.0')).toEqual(OK);
    expect(ctx.run('CLIENT', 'SETINFO', 'lib-name', 'a b')).toEqual(
      error('ERR lib-name cannot contain spaces, newlines or special characters.'),
    );
    expect(ctx.run('CLIENT', 'SETINFO', 'other', 'x')).toEqual(error("ERR Unrecognized option 'other'"));
  });

  it('NO-EVICT and NO-TOUCH take ON or OFF', () => {
    const ctx = createTestContext();
    expect(ctx.run('CLIENT', 'NO-EVICT', 'on')).toEqual(OK);
    expect(ctx.run('CLIENT', 'NO-TOUCH', 'OFF')).toEqual(OK);
    expect(ctx.run('CLIENT', 'NO-EVICT', 'maybe')).toEqual(error('ERR syntax error'));
  });

  it('HELP lists the subcommands as status lines', () => {
    const reply = createTestContext().run('CLIENT', 'HELP');
    if (reply.kind !== 'array') throw new Error('expected an array');
    expect(reply.value[0]).toEqual(status('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:'));
    expect(reply.value.at(-2)).toEqual(status('HELP'));
    expect(reply.value.at(-1)).toEqual(status('    Prints this help.')); // Redis 7.0's wording (7.2: Print)
  });
});

describe('a second client on the same server', () => {
  it('has its own name and authentication', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    const second: ClientState = { ...ctx.client, id: 2, name: '', authenticated: false };
    const run2 = (...argv: string[]) =>
      execute(
        argv.map((a) => Buffer.from(a)),
        { ...ctx, client: second },
      );
    ctx.run('AUTH', 'pw');
    expect(run2('PING')).toEqual(NOAUTH);
    expect(run2('AUTH', 'pw')).toEqual(OK);
    expect(run2('CLIENT', 'ID')).toEqual(integer(2));
  });
});
