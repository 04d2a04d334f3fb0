// CONFIG SET as Redis has it on every transport: once it has replied OK, the next command of any other client sees
// the new value, whichever thread serves that client (on the pool each client has a worker of its own; on the
// hybrid the second client goes to another loop, the least loaded). Settings kept per thread (not in shared
// memory): inline-replies, which changes how the other client is answered, and hz, read back with CONFIG GET.
//
// The clients run on a thread of their own and the test's main thread, which is the server's and relays the
// changes, is kept busy 2 ms in every turn: a change still on its way to the other thread when CONFIG SET replies
// would then be seen stale in most rounds, as by a client in another process on a busy server.

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { transports, useTestServer } from '../support/server.js';

const ROUNDS = 50;

/** One round: the setter's CONFIG SET, then the other client's request and the reply it must get at once. */
interface Round {
  readonly set: readonly [string, string];
  readonly ask: string;
  /** Lines the reply has, whatever its value (a stale value shows as itself, not as a wait). */
  readonly lines: number;
  readonly expected: string;
}

const command = (...argv: string[]): string =>
  `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** The client thread: two connections, the rounds in order; posts the replies the other client got. */
const CLIENTS = `
  const { workerData, parentPort } = require('node:worker_threads');
  const net = require('node:net');
  function connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(lines(socket)));
      socket.once('error', reject);
    });
  }
  function lines(socket) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    let text = '';
    let waiter = null;
    const check = () => {
      if (waiter === null) return;
      let end = -1;
      for (let n = 0; n < waiter.count; n++) {
        end = text.indexOf('\\n', end + 1);
        if (end < 0) return;
      }
      const done = waiter;
      waiter = null;
      const got = text.slice(0, end + 1);
      text = text.slice(end + 1);
      done.resolve(got);
    };
    socket.on('data', (chunk) => { text += chunk; check(); });
    return {
      socket,
      ask: (request, count) => new Promise((resolve) => {
        waiter = { count, resolve };
        socket.write(request);
        check();
      }),
    };
  }
  (async () => {
    const setter = await connect(workerData.port);
    const other = await connect(workerData.port);
    const replies = [];
    for (const round of workerData.rounds) {
      await setter.ask(round.setCommand, 1);
      replies.push(await other.ask(round.ask, round.lines));
    }
    setter.socket.destroy();
    other.socket.destroy();
    parentPort.postMessage(replies);
  })();
`;

/** Runs the rounds from the client thread while this thread stays busy 2 ms per turn; the other client's replies. */
async function runRounds(port: number, rounds: readonly Round[]): Promise<string[]> {
  const clients = new Worker(CLIENTS, {
    eval: true,
    workerData: {
      port,
      rounds: rounds.map((r) => ({ ...r, setCommand: command('CONFIG', 'SET', ...r.set) })),
    },
  });
  let busy = true;
  const keepBusy = (): void => {
    if (!busy) return;
    const until = Date.now() + 2;
    while (Date.now() < until);
    setImmediate(keepBusy);
  };
  setImmediate(keepBusy);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      clients.once('message', resolve);
      clients.once('error', reject);
    });
  } finally {
    busy = false;
    await clients.terminate();
  }
}

describe.each(transports)(
  '%s transport: CONFIG SET seen by the next command on another thread',
  (transport) => {
    const current = useTestServer(transport, { workers: transport === 'hybrid' ? 2 : 4 });

    it('inline-replies: the other client is answered the new way at once, every round', async () => {
      const rounds = Array.from({ length: ROUNDS }, (_, round): Round => {
        const mode = round % 2 === 0 ? 'resp' : 'plain';
        return {
          set: ['inline-replies', mode],
          ask: 'PING\r\n',
          lines: 1,
          expected: mode === 'resp' ? '+PONG\r\n' : 'PONG\n',
        };
      });
      expect(await runRounds(current().port, rounds)).toEqual(rounds.map((r) => r.expected));
    });

    it('hz: CONFIG GET on the other client reads the value just set, every round', async () => {
      const rounds = Array.from({ length: ROUNDS }, (_, round): Round => {
        const hz = String(11 + round);
        return {
          set: ['hz', hz],
          ask: command('CONFIG', 'GET', 'hz'),
          lines: 5,
          expected: `*2\r\n$2\r\nhz\r\n$${hz.length}\r\n${hz}\r\n`,
        };
      });
      expect(await runRounds(current().port, rounds)).toEqual(rounds.map((r) => r.expected));
    });
  },
);
