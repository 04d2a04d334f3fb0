// The executor's central checks, in Redis 7's processCommand order: command lookup (unknown command and
// unknown subcommand), arity, then NOAUTH; and the mapping of failures to error replies. Uses the real
// command table where it can, and small made-up tables where a check needs a command shaped a certain way.

import { describe, expect, it } from 'vitest';
import type { CommandContext, CommandSpec, ServerContext } from '../../src/core/command.js';
import { CommandError } from '../../src/core/errors.js';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { createCommandTable, execute } from '../../src/core/executor.js';
import { bulk, error, integer, status, type Reply } from '../../src/core/reply.js';
import { createTestContext, type TestContext } from '../support/context.js';

const NOAUTH = error('NOAUTH Authentication required.');
const arity = (name: string): Reply => error(`ERR wrong number of arguments for '${name}' command`);

function spec(name: string, extra: Partial<CommandSpec> = {}): CommandSpec {
  return {
    name,
    syntax: name.toUpperCase(),
    summary: 'test command',
    group: 'server',
    since: '1.0.0',
    arity: 1,
    flags: [],
    keys: [0, 0, 0],
    run: () => status('OK'),
    ...extra,
  };
}

/** A context running `specs` instead of the real table; unexpected errors are recorded, not thrown. */
function withTable(specs: CommandSpec[], base: TestContext = createTestContext()) {
  const reported: [unknown, string][] = [];
  const server: ServerContext = {
    ...base.server,
    commands: createCommandTable(specs),
    reportUnexpected: (e, name) => void reported.push([e, name]),
  };
  const context: CommandContext = { store: base.store, client: base.client, server };
  const run = (...argv: string[]): Reply =>
    execute(
      argv.map((a) => Buffer.from(a)),
      context,
    );
  return { run, reported, client: base.client, base };
}

const CONTAINER = spec('container', {
  arity: -2,
  run: undefined,
  subcommands: [
    spec('container|fixed', { arity: 3, run: (argv) => bulk(argv[2]) }),
    spec('container|many', { arity: -2, run: (argv) => integer(argv.length) }),
  ],
});

describe('unknown commands', () => {
  it('names the command as sent and quotes each argument, each followed by a space', () => {
    const ctx = createTestContext();
    expect(ctx.run('FOO', 'a', 'b c')).toEqual(
      error("ERR unknown command 'FOO', with args beginning with: 'a' 'b c' "),
    );
    expect(ctx.run('nosuch')).toEqual(error("ERR unknown command 'nosuch', with args beginning with: "));
  });

  it('shows at most about 128 bytes of arguments', () => {
    const ctx = createTestContext();
    const x = 'x'.repeat(100);
    const y = 'y'.repeat(100);
    // 'x..x' takes 103 bytes, leaving 25 for the next argument; then the budget is spent.
    expect(ctx.run('FOO', x, y, 'z')).toEqual(
      error(`ERR unknown command 'FOO', with args beginning with: '${x}' '${'y'.repeat(25)}' `),
    );
    expect(ctx.run('FOO', 'a'.repeat(300))).toEqual(
      error(`ERR unknown command 'FOO', with args beginning with: '${'a'.repeat(128)}' `),
    );
  });

  it('truncates the command name to 128 bytes and turns CR/LF into spaces', () => {
    const ctx = createTestContext();
    expect(ctx.run('n'.repeat(200))).toEqual(
      error(`ERR unknown command '${'n'.repeat(128)}', with args beginning with: `),
    );
    expect(ctx.run('FO\r\nO', 'a\nb')).toEqual(
      error("ERR unknown command 'FO  O', with args beginning with: 'a b' "),
    );
  });

  it('a subcommand name is not a command by itself', () => {
    const { run } = withTable([CONTAINER]);
    expect(run('container|fixed', 'a', 'b')).toEqual(
      error("ERR unknown command 'container|fixed', with args beginning with: 'a' 'b' "),
    );
  });

  it('command names are case-insensitive', () => {
    const ctx = createTestContext();
    ctx.store.set(Buffer.from('k'), Buffer.from('v'));
    expect(ctx.run('DeL', 'k')).toEqual(integer(1));
    expect(ctx.run('exists', 'k')).toEqual(integer(0));
  });
});

describe('arity', () => {
  it('a fixed arity needs exactly that many arguments, the name included', () => {
    const ctx = createTestContext();
    expect(ctx.run('TYPE')).toEqual(arity('type'));
    expect(ctx.run('TYPE', 'a', 'b')).toEqual(arity('type'));
    expect(ctx.run('type', 'a')).toEqual(status('none'));
    expect(ctx.run('RANDOMKEY', 'extra')).toEqual(arity('randomkey'));
  });

  it('a negative arity is a minimum', () => {
    const ctx = createTestContext();
    expect(ctx.run('DEL')).toEqual(arity('del'));
    expect(ctx.run('DEL', 'a')).toEqual(integer(0));
    expect(ctx.run('DEL', 'a', 'b', 'c', 'd')).toEqual(integer(0));
    expect(ctx.run('EXPIRE', 'k')).toEqual(arity('expire'));
  });

  it('the message uses the lower-case name whatever case was sent', () => {
    const ctx = createTestContext();
    expect(ctx.run('TyPe')).toEqual(arity('type'));
  });
});

describe('subcommands', () => {
  it('a container alone is checked against its own arity', () => {
    const { run } = withTable([CONTAINER]);
    expect(run('container')).toEqual(arity('container'));
  });

  it('an unknown subcommand names it as sent and points at HELP', () => {
    const { run } = withTable([CONTAINER]);
    expect(run('container', 'NoPe', 'x')).toEqual(
      error("ERR unknown subcommand 'NoPe'. Try CONTAINER HELP."),
    );
    expect(run('CONTAINER', 'a\r\nb')).toEqual(error("ERR unknown subcommand 'a  b'. Try CONTAINER HELP."));
  });

  it('a subcommand is case-insensitive and has its own arity, named container|sub', () => {
    const { run } = withTable([CONTAINER]);
    expect(run('CONTAINER', 'FIXED', 'v')).toEqual(bulk(Buffer.from('v')));
    expect(run('container', 'fixed')).toEqual(arity('container|fixed'));
    expect(run('container', 'fixed', 'a', 'b')).toEqual(arity('container|fixed'));
    expect(run('container', 'many')).toEqual(integer(2));
    expect(run('container', 'many', 'a', 'b')).toEqual(integer(4));
  });

  const real = createTestContext();
  const hasClient = real.server.commands.lookup('client') !== undefined;
  const hasConfig = real.server.commands.lookup('config') !== undefined;

  it.runIf(hasClient)('CLIENT: unknown subcommand and subcommand arity', () => {
    const ctx = createTestContext();
    expect(ctx.run('CLIENT')).toEqual(arity('client'));
    expect(ctx.run('CLIENT', 'foo')).toEqual(error("ERR unknown subcommand 'foo'. Try CLIENT HELP."));
    expect(ctx.run('client', 'SETNAME')).toEqual(arity('client|setname'));
    expect(ctx.run('CLIENT', 'GETNAME', 'x')).toEqual(arity('client|getname'));
  });

  it.runIf(hasConfig)('CONFIG: unknown subcommand and subcommand arity', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG')).toEqual(arity('config'));
    expect(ctx.run('CONFIG', 'bogus')).toEqual(error("ERR unknown subcommand 'bogus'. Try CONFIG HELP."));
    expect(ctx.run('CONFIG', 'GET')).toEqual(arity('config|get'));
    expect(ctx.run('CONFIG', 'SET', 'port')).toEqual(arity('config|set'));
  });
});

describe('authentication (requirepass)', () => {
  it('a known command with the right arity gets NOAUTH until the client is authenticated', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    ctx.store.set(Buffer.from('k'), Buffer.from('v'));
    expect(ctx.run('EXISTS', 'k')).toEqual(NOAUTH);
    expect(ctx.run('DEL', 'k')).toEqual(NOAUTH);
    expect(ctx.store.get(Buffer.from('k'))).not.toBeNull();
    ctx.client.authenticated = true;
    expect(ctx.run('EXISTS', 'k')).toEqual(integer(1));
  });

  it('an unknown command and a wrong arity are reported before NOAUTH, as in Redis 7', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    expect(ctx.run('FOO', 'bar')).toEqual(
      error("ERR unknown command 'FOO', with args beginning with: 'bar' "),
    );
    expect(ctx.run('TYPE')).toEqual(arity('type'));
    expect(ctx.run('DEL')).toEqual(arity('del'));
    expect(ctx.run('TYPE', 'k')).toEqual(NOAUTH);
  });

  it('subcommand lookup and arity errors also come before NOAUTH', () => {
    const base = createTestContext({ requirepass: 'pw' });
    const { run } = withTable([CONTAINER], base);
    expect(run('container', 'nope')).toEqual(error("ERR unknown subcommand 'nope'. Try CONTAINER HELP."));
    expect(run('container', 'fixed')).toEqual(arity('container|fixed'));
    expect(run('container', 'fixed', 'v')).toEqual(NOAUTH);
  });

  it('a no_auth command runs without authentication', () => {
    const base = createTestContext({ requirepass: 'pw' });
    const { run } = withTable([spec('open', { flags: ['no_auth', 'fast'] }), spec('closed')], base);
    expect(run('open')).toEqual(status('OK'));
    expect(run('closed')).toEqual(NOAUTH);
  });

  it('no password means no NOAUTH; the password is read live', () => {
    const ctx = createTestContext();
    expect(ctx.run('DBSIZE')).toEqual(integer(0));
    ctx.server.config.set('requirepass', 'secret');
    expect(ctx.run('DBSIZE')).toEqual(NOAUTH);
    ctx.server.config.set('requirepass', '');
    expect(ctx.run('DBSIZE')).toEqual(integer(0));
  });
});

describe('errors from commands', () => {
  it('a CommandError becomes its error line and the next command still runs', () => {
    const { run, reported } = withTable([
      spec('fail', {
        run: () => {
          throw new CommandError('WRONGTYPE Operation against a key holding the wrong kind of value');
        },
      }),
      spec('fine'),
    ]);
    expect(run('fail')).toEqual(error('WRONGTYPE Operation against a key holding the wrong kind of value'));
    expect(run('fine')).toEqual(status('OK'));
    expect(reported).toEqual([]);
  });

  it('anything else is reported once with the command name and answered with -ERR', () => {
    const bug = new TypeError('boom');
    const { run, reported } = withTable([
      spec('crash', {
        run: () => {
          throw bug;
        },
      }),
      spec('fine'),
    ]);
    expect(run('CRASH')).toEqual(error("ERR internal error while running 'crash'"));
    expect(reported).toEqual([[bug, 'crash']]);
    expect(run('fine')).toEqual(status('OK'));
  });

  it('a real command error: ERR syntax error from COPY', () => {
    const ctx = createTestContext();
    expect(ctx.run('COPY', 'a', 'b', 'BOGUS')).toEqual(error('ERR syntax error'));
  });
});

describe('bookkeeping', () => {
  it('records the last command run, for CLIENT LIST', () => {
    const ctx = createTestContext();
    ctx.run('DBSIZE');
    expect(ctx.client.lastCommand).toBe('dbsize');
    ctx.run('NOSUCH');
    expect(ctx.client.lastCommand).toBe('dbsize');
  });

  it('the table rejects a command declared twice', () => {
    expect(() => createCommandTable([spec('twice'), spec('twice')])).toThrow(
      "command 'twice' is declared twice",
    );
  });

  it('the real table has every command once and every spec is well formed', () => {
    const ctx = createTestContext();
    for (const s of ctx.server.commands.all()) {
      expect(s.name).toBe(s.name.toLowerCase());
      expect(ctx.server.commands.lookup(s.name)).toBe(s);
      expect(s.arity).not.toBe(0);
      expect(s.run !== undefined || s.subcommands !== undefined).toBe(true);
    }
  });
});

describe('the command table', () => {
  it('keeps every field of every declared command and subcommand in the copies it holds (withOneShape)', () => {
    const table = createCommandTable(ALL_COMMANDS);
    const check = (declared: CommandSpec): void => {
      const held = table.lookup(declared.name);
      expect(held, declared.name).toBeDefined();
      for (const [field, value] of Object.entries(declared)) {
        if (field === 'subcommands') continue;
        expect((held as unknown as Record<string, unknown>)[field], `${declared.name}.${field}`).toBe(value);
      }
      for (const sub of declared.subcommands ?? []) check(sub);
    };
    for (const declared of ALL_COMMANDS) check(declared);
  });

  it('holds every command in one hidden shape: the same fields in the same order', () => {
    const table = createCommandTable(ALL_COMMANDS);
    const shapes = new Set(table.slots().map((held) => Object.keys(held).join(',')));
    expect(shapes.size).toBe(1);
  });
});
