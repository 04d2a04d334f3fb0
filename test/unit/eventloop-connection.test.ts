// The event-loop Connection against a scripted socket, where a real one cannot be made to misbehave on cue:
// replies written at the end of the loop's turn, backpressure (stop reading while writes are pending, resume on
// 'drain'), the output and query buffer limits, closing after QUIT, and the per-connection error sink.

import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/parser.js';
import { Session } from '../../src/core/session.js';
import { Connection, type ConnectionLimits } from '../../src/transport/eventloop/connection.js';
import { createTestContext } from '../support/context.js';
import { LogCapture } from '../support/server.js';
import { resp } from '../support/raw-client.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import type { AppendOnlyLog } from '../../src/core/command.js';
import { ReplyTurn } from '../../src/transport/eventloop/reply-turn.js';
import pino from 'pino';

/** A log that owes records until its write-out, which `events` records. */
function owingLog(events: string[]) {
  const log = {
    owes: true,
    endOfBatch: () => {
      events.push('write-out');
      log.owes = false;
    },
  };
  return log;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Just enough of net.Socket: records writes, pause/resume, end and destroy. */
class ScriptedSocket extends EventEmitter {
  writableLength = 0;
  readonly written: Buffer[] = [];
  /** What write() returns: false means "above the high-water mark, wait for 'drain'". */
  acceptWrites = true;
  paused = false;
  ended = false;
  destroyed = false;

  write(bytes: Buffer): boolean {
    this.written.push(bytes);
    if (!this.acceptWrites) this.writableLength += bytes.length;
    return this.acceptWrites;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  end(): this {
    this.ended = true;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
  drain(): void {
    this.writableLength = 0;
    this.acceptWrites = true;
    this.emit('drain');
  }
  output(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}

/** One loop's thread: the writer its sessions share, and its turn; `log`: an append-only file it writes. */
function loopThread(log?: ReturnType<typeof owingLog>) {
  const writer = new ByteWriter();
  return { writer, turn: new ReplyTurn(writer, log as AppendOnlyLog | undefined, pino({ level: 'silent' })) };
}

/** A connection over a scripted socket, on its own loop thread unless given one. */
function setup(limits: Partial<ConnectionLimits> = {}, thread = loopThread(), id = 1) {
  const ctx = createTestContext();
  const logs = new LogCapture();
  const socket = new ScriptedSocket();
  const session = new Session(
    { store: ctx.store, server: ctx.server, limits: DEFAULT_LIMITS, writer: thread.writer },
    { id, addr: '127.0.0.1:50000', laddr: '127.0.0.1:6379' },
  );
  const connection = new Connection(socket as unknown as net.Socket, session, {
    limits: { outputBufferLimit: 0, queryBufferLimit: 0, pubsubOutputBufferLimit: 0, ...limits },
    logger: logs.logger,
    closeGraceMs: 10,
    send: null,
    turn: thread.turn,
  });
  return {
    socket,
    connection,
    logs,
    receive: (bytes: string | Buffer) => socket.emit('data', Buffer.from(bytes)),
  };
}

describe('event-loop Connection', () => {
  it('writes replies at the end of the turn: every read of the turn, in order, clients sharing one writer', async () => {
    const thread = loopThread();
    const a = setup({}, thread, 1);
    const b = setup({}, thread, 2);
    a.receive(resp('ECHO', 'a1'));
    b.receive(resp('ECHO', 'b1'));
    a.receive(resp('ECHO', 'a2')); // a second read of a in the same turn
    expect(a.socket.output() + b.socket.output()).toBe('');
    await nextTurn();
    expect(a.socket.output()).toBe('$2\r\na1\r\n$2\r\na2\r\n');
    expect(b.socket.output()).toBe('$2\r\nb1\r\n');
    b.receive(resp('ECHO', 'b2')); // the next turn starts the writer again
    await nextTurn();
    expect(b.socket.output()).toBe('$2\r\nb1\r\n$2\r\nb2\r\n');
  });

  it('stops reading while replies are pending and resumes on drain', async () => {
    const { socket, receive } = setup();
    socket.acceptWrites = false;
    receive(resp('PING'));
    await nextTurn();
    expect(socket.output()).toBe('+PONG\r\n');
    expect(socket.paused).toBe(true);
    socket.drain();
    expect(socket.paused).toBe(false);
    receive(resp('PING'));
    expect(socket.paused).toBe(false);
  });

  it('disconnects a client whose pending output passes client-output-buffer-limit-bytes', async () => {
    const { socket, logs, receive } = setup({ outputBufferLimit: 100 });
    socket.acceptWrites = false;
    receive(resp('SET', 'k', 'x'.repeat(60)));
    receive(resp('GET', 'k'));
    await nextTurn(); // written: the kernel took none of it
    expect(socket.destroyed).toBe(false); // 5 + 67 bytes pending: under the limit
    receive(resp('GET', 'k')); // held, with what the kernel has not taken: over
    expect(socket.destroyed).toBe(true);
    const line = await logs.waitFor((l) => l.level === 40);
    expect(line).toMatchObject({ client: 1, outputBuffer: 5 + 67 + 67, limit: 100 });
    expect(line.msg).toBe('client output buffer limit reached: closing the client');
  });

  it('disconnects a client whose unfinished request passes client-query-buffer-limit', async () => {
    const { socket, logs, receive } = setup({ queryBufferLimit: 1000 });
    receive(`*2\r\n$3\r\nGET\r\n$5000\r\n${'a'.repeat(900)}`);
    expect(socket.destroyed).toBe(false);
    receive('a'.repeat(200));
    expect(socket.destroyed).toBe(true);
    expect((await logs.waitFor((l) => l.level === 40)).msg).toBe(
      'closing client that reached max query buffer length',
    );
  });

  it('ends (not destroys) after QUIT, once the reply is written, and ignores what follows', () => {
    const { socket, receive } = setup();
    receive(Buffer.concat([resp('QUIT'), resp('PING')]));
    expect(socket.output()).toBe('+OK\r\n');
    expect(socket.ended).toBe(true);
    expect(socket.destroyed).toBe(false);
    receive(resp('PING'));
    expect(socket.output()).toBe('+OK\r\n');
  });

  it('copies replies it cannot write at once: the writer lends them only until the end of the turn', async () => {
    const { socket, receive } = setup();
    socket.acceptWrites = false; // a scripted socket has no descriptor: every reply goes through write()
    receive(resp('ECHO', 'first'));
    receive(resp('ECHO', 'again'));
    await nextTurn();
    receive(resp('ECHO', 'later')); // written where the first two were lent from
    await nextTurn();
    expect(socket.written.map((b) => b.toString())).toEqual([
      '$5\r\nfirst\r\n',
      '$5\r\nagain\r\n',
      '$5\r\nlater\r\n',
    ]);
  });

  it('holds replies while the append-only file is owed records, and sends them in order after the write-out', async () => {
    const events: string[] = [];
    const log = owingLog(events);
    const { socket, receive } = setup({}, loopThread(log));
    receive(resp('ECHO', 'one'));
    receive(resp('ECHO', 'two')); // a second read in the same turn: held behind the first
    expect(socket.output()).toBe('');
    await nextTurn();
    expect(events).toEqual(['write-out']);
    expect(socket.output()).toBe('$3\r\none\r\n$3\r\ntwo\r\n');
    receive(resp('PING')); // nothing owed now: no write-out, the reply at the end of the turn all the same
    await nextTurn();
    expect(events).toEqual(['write-out']);
    expect(socket.output()).toBe('$3\r\none\r\n$3\r\ntwo\r\n+PONG\r\n');
  });

  it('sends held replies before the end of a client that QUITs, the file written first', () => {
    const events: string[] = [];
    const { socket, receive } = setup({}, loopThread(owingLog(events)));
    receive(Buffer.concat([resp('PING'), resp('QUIT')]));
    expect(events).toEqual(['write-out']);
    expect(socket.output()).toBe('+PONG\r\n+OK\r\n');
    expect(socket.ended).toBe(true);
  });

  it('counts held replies against client-output-buffer-limit-bytes', async () => {
    const { socket, logs, receive } = setup({ outputBufferLimit: 100 }, loopThread(owingLog([])));
    receive(resp('ECHO', 'x'.repeat(60)));
    expect(socket.destroyed).toBe(false);
    receive(resp('ECHO', 'x'.repeat(60)));
    expect(socket.destroyed).toBe(true);
    expect((await logs.waitFor((l) => l.level === 40)).msg).toBe(
      'client output buffer limit reached: closing the client',
    );
    await nextTurn(); // the write-out finds it destroyed: nothing is written to it
    expect(socket.output()).toBe('');
  });

  it('the error sink ends only this connection quietly (debug)', async () => {
    const { socket, logs, receive } = setup();
    socket.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    receive(resp('PING'));
    expect(socket.output()).toBe('');
    expect(await logs.waitFor((l) => l.level === 20)).toMatchObject({ code: 'ECONNRESET', client: 1 });
  });
});
