// MONITOR in one thread's core: the line's text (sdscatrepr's escaping, the time with microseconds, db and
// address), which commands are shown (admin ones hidden, refused ones never run) and with what redacted (AUTH,
// HELLO's AUTH as redis-server 7.0.15 shows them), where a monitor's own command's line goes (after its reply),
// the monitor's restrictions, RESET, and the one shared word that says whether anyone monitors.

import { describe, expect, it } from 'vitest';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { createCommandTable } from '../../src/core/executor.js';
import { monitorLine, repr } from '../../src/core/monitor.js';
import { redact } from '../../src/core/redaction.js';
import { DEFAULT_LIMITS } from '../../src/core/parser.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import { Session, type SessionCore } from '../../src/core/session.js';
import { createTestContext } from '../support/context.js';
import { resp } from '../support/raw-client.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const table = createCommandTable(ALL_COMMANDS);
const spec = (name: string) => table.lookup(name)!;

describe('the MONITOR line', () => {
  it('escapes each argument as sdscatrepr does', () => {
    expect(repr(b('plain'))).toBe('"plain"');
    expect(repr(b('a"b\\c'))).toBe('"a\\"b\\\\c"');
    expect(repr(b('\n\r\t\x07\x08'))).toBe('"\\n\\r\\t\\a\\b"');
    expect(repr(b('\x00\x1f\x7f\x80\xff \xe9'))).toBe('"\\x00\\x1f\\x7f\\x80\\xff \\xe9"');
    expect(repr(b(''))).toBe('""');
  });

  it('is "<sec>.<usec> [<db> <addr>] args", the microseconds zero-padded to six digits', () => {
    expect(monitorLine([b('SET'), b('k'), b('a b')], 3, '127.0.0.1:5000', 1_700_000_000_000_042)).toBe(
      '1700000000.000042 [3 127.0.0.1:5000] "SET" "k" "a b"',
    );
  });

  it('redacts AUTH and HELLO AUTH as Redis 7.0 does', () => {
    const show = (argv: string[]) => redact(spec(argv[0].toLowerCase()), argv.map(b)).map(String);
    expect(show(['AUTH', 'pw'])).toEqual(['AUTH', '(redacted)']);
    expect(show(['auth', 'user', 'pw'])).toEqual(['auth', '(redacted)', '(redacted)']);
    // More arguments: a syntax error before redaction, shown as sent.
    expect(show(['AUTH', 'a', 'b', 'c'])).toEqual(['AUTH', 'a', 'b', 'c']);
    expect(show(['HELLO', '3', 'SETNAME', 'n', 'AUTH', 'u', 'p'])).toEqual([
      'HELLO',
      '3',
      'SETNAME',
      'n',
      'AUTH',
      '(redacted)',
      '(redacted)',
    ]);
    // A refused protover returns before the options are read.
    expect(show(['HELLO', '4', 'AUTH', 'u', 'p'])).toEqual(['HELLO', '4', 'AUTH', 'u', 'p']);
    expect(show(['HELLO'])).toEqual(['HELLO']);
  });

  it("redacts CONFIG SET's password values, every pair looked at, once the arguments pair up", () => {
    const show = (argv: string[]) => redact(spec('config|set'), argv.map(b)).map(String);
    expect(show(['CONFIG', 'SET', 'REQUIREPASS', 'pw', 'nosuch', 'x', 'masterauth', 'p2'])).toEqual([
      'CONFIG',
      'SET',
      'REQUIREPASS',
      '(redacted)',
      'nosuch',
      'x',
      'masterauth',
      '(redacted)',
    ]);
    expect(show(['CONFIG', 'SET', 'maxmemory', '1mb'])).toEqual(['CONFIG', 'SET', 'maxmemory', '1mb']);
    // An odd count is a syntax error before any redaction.
    expect(show(['CONFIG', 'SET', 'requirepass', 'pw', 'x'])).toEqual([
      'CONFIG',
      'SET',
      'requirepass',
      'pw',
      'x',
    ]);
  });
});

function setup(): { open(id: number): Session; core: SessionCore } {
  const ctx = createTestContext();
  const core: SessionCore = {
    store: ctx.store,
    server: ctx.server,
    limits: DEFAULT_LIMITS,
    writer: new ByteWriter(),
  };
  return { core, open: (id) => new Session(core, { id, addr: `127.0.0.1:${id}`, laddr: '127.0.0.1:6379' }) };
}

const send = (session: Session, ...argv: string[]): string =>
  session.receive(resp(...argv)).bytes?.toString('latin1') ?? '';
/** The lines a monitor got between its requests, without their time. */
const lines = (session: Session): string[] =>
  (session.takePushed()?.toString('latin1') ?? '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\+\d+\.\d{6} /, ''));

describe('MONITOR in a session', () => {
  it('shows commands that ran, not admin or refused ones, with the db they left selected', () => {
    const { open, core } = setup();
    const monitor = open(1);
    const client = open(2);
    expect(core.server.pubsub!.monitoring()).toBe(false);
    expect(send(monitor, 'MONITOR')).toBe('+OK\r\n');
    expect(core.server.pubsub!.monitoring()).toBe(true);
    send(client, 'SET', 'k', 'v');
    send(client, 'CONFIG', 'GET', 'port');
    send(client, 'CLIENT', 'LIST');
    send(client, 'NOSUCH');
    send(client, 'GET');
    send(client, 'SELECT', '4');
    send(client, 'MULTI');
    send(client, 'INCR', 'n');
    send(client, 'EXEC');
    send(client, 'CLIENT', 'ID');
    expect(lines(monitor)).toEqual([
      '[0 127.0.0.1:2] "SET" "k" "v"',
      '[4 127.0.0.1:2] "SELECT" "4"',
      '[4 127.0.0.1:2] "MULTI"',
      '[4 127.0.0.1:2] "INCR" "n"',
      '[4 127.0.0.1:2] "EXEC"',
      '[4 127.0.0.1:2] "CLIENT" "ID"',
    ]);
  });

  it("writes a monitor's own line after its reply; refuses it keys; ignores a second MONITOR; RESET ends it", () => {
    const { open, core } = setup();
    const monitor = open(1);
    send(monitor, 'MONITOR');
    expect(send(monitor, 'PING').replace(/\+\d+\.\d{6} /, '+T ')).toBe(
      '+PONG\r\n+T [0 127.0.0.1:1] "PING"\r\n',
    );
    expect(send(monitor, 'GET', 'k')).toBe("-ERR Replica can't interact with the keyspace\r\n");
    // PUBLISH may replicate (CMD_MAY_REPLICATE), which processCommand refuses a replica too.
    expect(send(monitor, 'PUBLISH', 'ch', 'm')).toBe("-ERR Replica can't interact with the keyspace\r\n");
    expect(send(monitor, 'MONITOR')).toBe('');
    expect(send(monitor, 'RESET')).toBe('+RESET\r\n');
    expect(core.server.pubsub!.monitoring()).toBe(false);
    send(open(2), 'SET', 'k', 'v');
    expect(monitor.takePushed()).toBeNull();
    expect(send(monitor, 'GET', 'k')).toBe('$1\r\nv\r\n');
  });

  it('refuses MONITOR inside EXEC; a closed monitor leaves the count', () => {
    const { open, core } = setup();
    const client = open(1);
    send(client, 'MULTI');
    send(client, 'MONITOR');
    expect(send(client, 'EXEC')).toBe("*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
    const monitor = open(2);
    send(monitor, 'MONITOR');
    expect(core.server.pubsub!.monitoring()).toBe(true);
    monitor.end();
    expect(core.server.pubsub!.monitoring()).toBe(false);
  });
});
