// Pub/Sub through the real executor: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE,
// PUBLISH, SPUBLISH, PUBSUB, the subscribed-state rules of RESP2, PING's subscribed form and RESET. Replies are
// encoded and compared with the bytes redis-server 7.0.15 sends (each captured from it); messages are collected
// by each client's target (no session: commands run directly). Threads and sockets: test/integration/pubsub.

import { describe, expect, it } from 'vitest';
import type { ClientState, CommandContext } from '../../src/core/command.js';
import { ClientContexts } from '../../src/core/command-context.js';
import { execute } from '../../src/core/executor.js';
import { CollectingTarget } from '../../src/core/pubsub/subscriber.js';
import type { Reply } from '../../src/core/reply.js';
import { ByteWriter, encodeReply } from '../../src/core/reply-encoding.js';
import { Transaction } from '../../src/core/transaction.js';
import { createTestContext, type TestContext } from '../support/context.js';

function encode(reply: Reply, resp: 2 | 3): string {
  const out = new ByteWriter();
  encodeReply(reply, resp === 3 ? 'resp3' : 'resp2', out);
  return out.take().toString('latin1');
}

interface Client {
  readonly state: ClientState;
  readonly target: CollectingTarget;
  /** Runs a command (words split on spaces); returns its reply encoded in the client's protocol. */
  run(command: string): string;
  /** Messages received since the last call, encoded in the client's protocol. */
  messages(): string;
}

/** A connection on the test context's server: its own state, messages collected by its target. */
function connect(ctx: TestContext, id: number): Client {
  const target = new CollectingTarget();
  const state: ClientState = {
    ...ctx.client,
    id,
    name: '',
    db: 0,
    resp: 2,
    transaction: new Transaction(),
    pubsub: undefined,
    pushTarget: target,
  };
  const contexts = new ClientContexts(ctx.store, state, ctx.server);
  let seen = 0;
  return {
    state,
    target,
    run: (command) => {
      const argv = command.split(' ').map((w) => Buffer.from(w === '""' ? '' : w));
      const context: CommandContext = contexts.current();
      return encode(execute(argv, context), state.resp);
    },
    messages: () => {
      const fresh = target.messages.slice(seen);
      seen = target.messages.length;
      return fresh.map((m) => encode(m, state.resp)).join('');
    },
  };
}

const ONLY = 'only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n';

describe('SUBSCRIBE / UNSUBSCRIBE', () => {
  it('confirms each channel with the count after it, repeated names included', () => {
    const a = connect(createTestContext(), 1);
    expect(a.run('SUBSCRIBE a b a')).toBe(
      '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n',
    );
    expect(a.run('UNSUBSCRIBE b')).toBe('*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n');
    expect(a.run('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n');
    // Subscribed to nothing: one confirmation with a null name.
    expect(a.run('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n');
    expect(a.run('GET a')).toBe('$-1\r\n'); // out of subscribed state
  });

  it('counts channels and patterns together, shard channels apart', () => {
    const a = connect(createTestContext(), 1);
    a.run('SUBSCRIBE a');
    expect(a.run('PSUBSCRIBE p*')).toBe('*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:2\r\n');
    expect(a.run('SSUBSCRIBE s')).toBe('*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n');
    expect(a.run('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n');
    expect(a.run('PUNSUBSCRIBE')).toBe('*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n');
    expect(a.run('PUNSUBSCRIBE')).toBe('*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n');
    // Still subscribed (a shard channel): RESP2 still restricts.
    expect(a.run('GET a')).toBe(`-ERR Can't execute 'get': ${ONLY}`);
    expect(a.run('SUNSUBSCRIBE')).toBe('*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n');
    expect(a.run('PUNSUBSCRIBE x y')).toBe(
      '*3\r\n$12\r\npunsubscribe\r\n$1\r\nx\r\n:0\r\n*3\r\n$12\r\npunsubscribe\r\n$1\r\ny\r\n:0\r\n',
    );
  });

  it('answers in pushes in RESP3, where other commands stay allowed', () => {
    const a = connect(createTestContext(), 1);
    a.state.resp = 3;
    expect(a.run('SUBSCRIBE a b')).toBe(
      '>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n',
    );
    expect(a.run('GET a')).toBe('_\r\n');
    expect(a.run('PING')).toBe('+PONG\r\n');
    // Its own message comes before PUBLISH's reply, as Redis writes it into the same buffer first.
    expect(a.run('PUBLISH a hi')).toBe(':1\r\n');
    expect(a.messages()).toBe('>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n');
    a.run('UNSUBSCRIBE');
    expect(a.run('UNSUBSCRIBE')).toBe('>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n');
  });
});

describe('the subscribed state of a RESP2 client', () => {
  it('refuses other commands by their full name, after the unknown-command and arity checks', () => {
    const a = connect(createTestContext(), 1);
    a.run('SUBSCRIBE a');
    expect(a.run('GET a')).toBe(`-ERR Can't execute 'get': ${ONLY}`);
    expect(a.run('CLIENT LIST')).toBe(`-ERR Can't execute 'client|list': ${ONLY}`);
    expect(a.run('PUBSUB NUMSUB')).toBe(`-ERR Can't execute 'pubsub|numsub': ${ONLY}`);
    expect(a.run('MULTI')).toBe(`-ERR Can't execute 'multi': ${ONLY}`);
    expect(a.run('HELLO 3')).toBe(`-ERR Can't execute 'hello': ${ONLY}`);
    expect(a.run('FOO')).toBe("-ERR unknown command 'FOO', with args beginning with: \r\n");
    expect(a.run('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(a.run('PING a b')).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
  });

  it('answers PING as ["pong", message]', () => {
    const a = connect(createTestContext(), 1);
    a.run('SUBSCRIBE a');
    expect(a.run('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(a.run('PING x')).toBe('*2\r\n$4\r\npong\r\n$1\r\nx\r\n');
    expect(a.run('QUIT')).toBe('+OK\r\n');
  });

  it('is left by RESET, which ends every subscription without a reply per channel', () => {
    const ctx = createTestContext();
    const [a, b] = [connect(ctx, 1), connect(ctx, 2)];
    a.run('SUBSCRIBE a b');
    a.run('PSUBSCRIBE *');
    a.run('SSUBSCRIBE s');
    expect(a.run('RESET')).toBe('+RESET\r\n');
    expect(a.run('GET a')).toBe('$-1\r\n');
    expect(b.run('PUBLISH a x')).toBe(':0\r\n');
    expect(b.run('SPUBLISH s x')).toBe(':0\r\n');
    expect(b.run('PUBSUB NUMPAT')).toBe(':0\r\n');
    expect(a.messages()).toBe('');
    // A new subscription after RESET receives again.
    a.run('SUBSCRIBE a');
    expect(b.run('PUBLISH a y')).toBe(':1\r\n');
    expect(a.messages()).toBe('*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\ny\r\n');
  });

  it('can be entered inside MULTI: EXEC runs SUBSCRIBE, refuses SSUBSCRIBE, and PING sees the new state', () => {
    const a = connect(createTestContext(), 1);
    expect(a.run('MULTI')).toBe('+OK\r\n');
    for (const c of ['SUBSCRIBE x y', 'SSUBSCRIBE z', 'PING']) expect(a.run(c)).toBe('+QUEUED\r\n');
    expect(a.run('EXEC')).toBe(
      '*3\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\ny\r\n:2\r\n' +
        "-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n" +
        '*2\r\n$4\r\npong\r\n$0\r\n\r\n',
    );
    expect(a.run('GET a')).toBe(`-ERR Can't execute 'get': ${ONLY}`);
  });
});

describe('CLIENT LIST and CLIENT KILL', () => {
  it('show a subscriber as Redis does: flags=P, its counts, type pubsub', () => {
    const a = connect(createTestContext(), 1);
    a.state.resp = 3; // so that CLIENT is allowed while subscribed
    expect(a.run('CLIENT INFO')).toMatch(/ flags=N db=0 sub=0 psub=0 ssub=0 /);
    a.run('SUBSCRIBE x y');
    a.run('PSUBSCRIBE p*');
    a.run('SSUBSCRIBE s');
    expect(a.run('CLIENT INFO')).toMatch(/ flags=P db=0 sub=2 psub=1 ssub=1 /);
    expect(a.run('CLIENT LIST TYPE pubsub')).toMatch(/^=\d+\r\ntxt:id=1 /);
    expect(a.run('CLIENT LIST TYPE normal')).toBe('=4\r\ntxt:\r\n');
    a.run('UNSUBSCRIBE');
    a.run('PUNSUBSCRIBE');
    a.run('SUNSUBSCRIBE');
    expect(a.run('CLIENT INFO')).toMatch(/ flags=N db=0 sub=0 psub=0 ssub=0 /);
    expect(a.run('CLIENT LIST TYPE pubsub')).toBe('=4\r\ntxt:\r\n');
    // CLIENT KILL TYPE matches the same way (SKIPME no: the caller itself is the only client here).
    a.run('SUBSCRIBE x');
    expect(a.run('CLIENT KILL TYPE normal SKIPME no')).toBe(':0\r\n');
    expect(a.run('CLIENT KILL TYPE pubsub SKIPME no')).toBe(':1\r\n');
    expect(a.state.closeAfterReply).toBe(true);
  });
});

describe('PUBLISH', () => {
  it('delivers message and pmessage frames and answers how many received it', () => {
    const ctx = createTestContext();
    const [a, b, c] = [connect(ctx, 1), connect(ctx, 2), connect(ctx, 3)];
    a.run('SUBSCRIBE news');
    b.run('PSUBSCRIBE n*');
    b.run('PSUBSCRIBE *s');
    b.run('SUBSCRIBE news');
    expect(c.run('PUBLISH news hello')).toBe(':4\r\n');
    expect(a.messages()).toBe('*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n');
    expect(b.messages()).toBe(
      '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n' +
        '*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n' +
        '*4\r\n$8\r\npmessage\r\n$2\r\n*s\r\n$4\r\nnews\r\n$5\r\nhello\r\n',
    );
    expect(c.run('PUBLISH other x')).toBe(':0\r\n');
    expect(c.run('PUBLISH nope x')).toBe(':1\r\n'); // n*
    expect(c.messages()).toBe('');
  });

  it('matches patterns as Redis globs, binary-safe', () => {
    const ctx = createTestContext();
    const [a, b] = [connect(ctx, 1), connect(ctx, 2)];
    a.run('PSUBSCRIBE h[ae]llo');
    a.run('PSUBSCRIBE \\*x');
    a.run('PSUBSCRIBE h?');
    expect(b.run('PUBLISH hello 1')).toBe(':1\r\n');
    expect(b.run('PUBLISH hillo 1')).toBe(':0\r\n');
    expect(b.run('PUBLISH *x 1')).toBe(':1\r\n');
    expect(b.run('PUBLISH ax 1')).toBe(':0\r\n');
    expect(b.run('PUBLISH hi 1')).toBe(':1\r\n');
    expect(b.run('PUBLISH H 1')).toBe(':0\r\n');
  });

  it('keeps shard channels apart from channels and patterns', () => {
    const ctx = createTestContext();
    const [a, b] = [connect(ctx, 1), connect(ctx, 2)];
    a.run('SSUBSCRIBE s');
    a.run('PSUBSCRIBE *');
    expect(b.run('SPUBLISH s m')).toBe(':1\r\n');
    expect(a.messages()).toBe('*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n');
    expect(b.run('PUBLISH s m')).toBe(':1\r\n'); // the pattern only
    expect(a.messages()).toBe('*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\ns\r\n$1\r\nm\r\n');
  });
});

describe('PUBSUB', () => {
  it('lists channels, counts subscribers and unique patterns', () => {
    const ctx = createTestContext();
    const [a, b, c] = [connect(ctx, 1), connect(ctx, 2), connect(ctx, 3)];
    a.run('SUBSCRIBE x y');
    b.run('SUBSCRIBE x');
    a.run('PSUBSCRIBE p*');
    b.run('PSUBSCRIBE p*');
    b.run('PSUBSCRIBE q*');
    b.run('SSUBSCRIBE s');
    expect(c.run('PUBSUB NUMSUB x y z')).toBe('*6\r\n$1\r\nx\r\n:2\r\n$1\r\ny\r\n:1\r\n$1\r\nz\r\n:0\r\n');
    expect(c.run('PUBSUB NUMSUB')).toBe('*0\r\n');
    expect(c.run('PUBSUB NUMPAT')).toBe(':2\r\n');
    expect(c.run('PUBSUB CHANNELS y')).toBe('*1\r\n$1\r\ny\r\n');
    expect(c.run('PUBSUB CHANNELS [xy]').split('\r\n').sort()).toEqual(
      '*2\r\n$1\r\nx\r\n$1\r\ny\r\n'.split('\r\n').sort(),
    );
    expect(c.run('PUBSUB SHARDCHANNELS')).toBe('*1\r\n$1\r\ns\r\n');
    expect(c.run('PUBSUB SHARDNUMSUB s x')).toBe('*4\r\n$1\r\ns\r\n:1\r\n$1\r\nx\r\n:0\r\n');
    c.state.resp = 3; // NUMSUB stays an array in RESP3
    expect(c.run('PUBSUB NUMSUB x')).toBe('*2\r\n$1\r\nx\r\n:2\r\n');
    a.run('UNSUBSCRIBE');
    b.run('UNSUBSCRIBE');
    expect(c.run('PUBSUB CHANNELS')).toBe('*0\r\n');
  });

  it('reports the distinct names with subscribers in INFO stats', () => {
    const ctx = createTestContext();
    const [a, b, c] = [connect(ctx, 1), connect(ctx, 2), connect(ctx, 3)];
    a.run('SUBSCRIBE x y');
    b.run('SUBSCRIBE x');
    b.run('PSUBSCRIBE p* q*');
    a.run('SSUBSCRIBE s');
    expect(c.run('INFO stats')).toMatch(
      /pubsub_channels:2\r\npubsub_patterns:2\r\npubsubshard_channels:1\r\n/,
    );
  });

  it("refuses bad subcommands with Redis's texts", () => {
    const c = connect(createTestContext(), 1);
    expect(c.run('PUBSUB')).toBe("-ERR wrong number of arguments for 'pubsub' command\r\n");
    expect(c.run('PUBSUB FOO')).toBe("-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n");
    expect(c.run('PUBSUB CHANNELS a b')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
    );
    expect(c.run('PUBSUB NUMPAT x')).toBe("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
    expect(c.run('PUBSUB HELP x')).toBe("-ERR wrong number of arguments for 'pubsub|help' command\r\n");
    expect(c.run('PUBLISH a')).toBe("-ERR wrong number of arguments for 'publish' command\r\n");
    expect(c.run('SUBSCRIBE')).toBe("-ERR wrong number of arguments for 'subscribe' command\r\n");
  });

  it('describes the commands as COMMAND INFO / GETKEYS in Redis 7.0 do (shard channels are no keys)', () => {
    const c = connect(createTestContext(), 1);
    expect(c.run('COMMAND INFO publish')).toBe(
      '*1\r\n*10\r\n$7\r\npublish\r\n:3\r\n*4\r\n+pubsub\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n' +
        '*2\r\n+@pubsub\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n',
    );
    expect(c.run('COMMAND INFO spublish')).toContain('*1\r\n+not_key\r\n');
    for (const command of ['SSUBSCRIBE a b', 'SPUBLISH a b', 'PUBLISH a b']) {
      expect(c.run(`COMMAND GETKEYS ${command}`)).toBe('-ERR The command has no key arguments\r\n');
    }
  });

  it('answers HELP with the lines Redis 7.0 sends', () => {
    const c = connect(createTestContext(), 1);
    expect(c.run('PUBSUB HELP')).toBe(
      '*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n' +
        "+    Return the currently active channels matching a <pattern> (default: '*').\r\n+NUMPAT\r\n" +
        '+    Return number of subscriptions to patterns.\r\n+NUMSUB [<channel> ...]\r\n' +
        '+    Return the number of subscribers for the specified channels, excluding\r\n' +
        '+    pattern subscriptions(default: no channels).\r\n+SHARDCHANNELS [<pattern>]\r\n' +
        "+    Return the currently active shard level channels matching a <pattern> (default: '*').\r\n" +
        '+SHARDNUMSUB [<shardchannel> ...]\r\n' +
        '+    Return the number of subscribers for the specified shard level channel(s)\r\n' +
        '+HELP\r\n+    Prints this help.\r\n',
    );
  });
});

describe('many subscriptions', () => {
  it('keeps exact counts through the shared registry growing and shrinking', () => {
    const ctx = createTestContext();
    const clients = [1, 2, 3].map((id) => connect(ctx, id));
    const channels = Array.from({ length: 3000 }, (_, i) => `channel:${i}`);
    for (const client of clients) client.run(`SUBSCRIBE ${channels.join(' ')}`);
    for (let i = 0; i < 200; i++) clients[0].run(`PSUBSCRIBE p${i}*`);
    const publisher = connect(ctx, 9);
    expect(publisher.run('PUBLISH channel:2999 x')).toBe(':3\r\n');
    expect(publisher.run('PUBSUB NUMPAT')).toBe(':200\r\n');
    expect(publisher.run('PUBLISH p123-x x')).toBe(':3\r\n'); // p1*, p12*, p123*
    clients[1].run('UNSUBSCRIBE');
    expect(publisher.run('PUBSUB NUMSUB channel:0')).toBe('*2\r\n$9\r\nchannel:0\r\n:2\r\n');
    clients[0].run('RESET');
    clients[2].run('RESET');
    expect(publisher.run('PUBSUB NUMSUB channel:0')).toBe('*2\r\n$9\r\nchannel:0\r\n:0\r\n');
    expect(publisher.run('PUBSUB NUMPAT')).toBe(':0\r\n');
    expect(publisher.run('PUBSUB CHANNELS')).toBe('*0\r\n');
  });
});
