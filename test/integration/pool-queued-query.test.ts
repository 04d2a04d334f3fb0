// The question a pool worker asks the main thread from inside a command (QueuedClientsQuery): it blocks on
// its slot's answer cell, so it must wake as soon as the answer is marked, not at its timeout; give up with
// null when no answer comes; and never take a late answer to an abandoned question for the next one's.
// The answering side runs on a real second thread (the built PoolState, so run `npm run build` first).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueuedClient } from '../../src/transport/threadpool/messages.js';
import { QueuedClientsQuery } from '../../src/transport/threadpool/queued-query.js';
import { PoolState } from '../../src/transport/threadpool/shared-state.js';

const stateUrl = new URL('../../dist/src/transport/threadpool/shared-state.js', import.meta.url);
const SLOT = 1;
const QUEUED: QueuedClient[] = [
  { id: 7, fd: 9, addr: '127.0.0.1:50007', laddr: '127.0.0.1:6379', createdAt: 1 },
];

/**
 * A stand-in for the pool's main thread: answers each question after `delayMs` (never, for the ones listed in
 * `ignore`), posting QUEUED with the question's number, then marks it answered on the question's slot.
 */
function answerer(state: PoolState, delayMs: number, ignore: number[] = []): Promise<Worker> {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    import { PoolState } from ${JSON.stringify(stateUrl.href)};
    const state = PoolState.attach(workerData.buffer, workerData.slots);
    let asked = 0;
    parentPort.on('message', (m) => {
      if (workerData.ignore.includes(++asked)) return;
      setTimeout(() => {
        m.reply.postMessage(workerData.queued.map((c) => ({ ...c, request: m.request })));
        m.reply.close();
        state.markAnswered(workerData.slot, m.request);
      }, workerData.delayMs);
    });
    parentPort.postMessage('ready');
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
    workerData: { buffer: state.buffer, slots: state.slots, slot: SLOT, delayMs, ignore, queued: QUEUED },
  });
  workers.push(worker);
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  });
}

const workers: Worker[] = [];

/** The worker side: questions for `main`, asked from SLOT. */
const asker = (state: PoolState, main: Worker) =>
  new QueuedClientsQuery(state, SLOT, (message, transfer) => main.postMessage(message, transfer));

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe('QueuedClientsQuery', () => {
  it('wakes when the answer is marked, long before its timeout', async () => {
    if (!existsSync(fileURLToPath(stateUrl)))
      throw new Error(`${stateUrl.pathname} missing: run npm run build`);
    const state = PoolState.create(2);
    const main = await answerer(state, 50);
    const query = asker(state, main);
    const started = Date.now();
    // Blocks this thread; a wake-up that never comes would hold it for the whole 60 s timeout.
    const answer = query.fetch(60_000);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(answer).toEqual([{ ...QUEUED[0], request: 1 }]);
    expect(query.fetch(60_000)).toEqual([{ ...QUEUED[0], request: 2 }]);
  });

  it('gives up with null when no answer comes, and takes only its own question’s answer after that', async () => {
    const state = PoolState.create(2);
    const main = await answerer(state, 0, [1]);
    const query = asker(state, main);
    expect(query.fetch(50)).toBeNull();
    expect(query.fetch(60_000)).toEqual([{ ...QUEUED[0], request: 2 }]);
  });

  it('numbers a replacement worker’s questions after its predecessor’s, so an old answer is not new', async () => {
    const state = PoolState.create(2);
    const main = await answerer(state, 0);
    expect(asker(state, main).fetch(60_000)).toEqual([{ ...QUEUED[0], request: 1 }]);
    expect(asker(state, main).fetch(60_000)).toEqual([{ ...QUEUED[0], request: 2 }]);
  });
});
