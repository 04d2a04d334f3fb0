// BullMQ, the most used Node job queue, against redis-lite on every transport, and against redis-server 7.0.15
// as the reference that shows these expectations are BullMQ's own. It needs much of a server: EVALSHA-heavy Lua
// scripts (cmsgpack for job options), BZPOPMIN on its marker, CLIENT SETNAME / CLIENT LIST for its workers, and a
// stream per queue (XADD, XTRIM) that its QueueEvents reads with XREAD BLOCK. A Queue adds jobs (one failing,
// one retried, one delayed) and a Worker processes them: the Worker's completed and failed events, return
// values, failure reasons, counts, and a delayed job run no earlier than its delay; then the same through
// QueueEvents (waitUntilFinished), with job logs, pause and resume, and obliterate. The tests wait on events,
// never on a clock.

import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath, startRedisServer } from '../support/live-tools.js';
import { startTestServer, type TransportName, transports } from '../support/server.js';

type Target = 'redis-server' | TransportName;
const targets: readonly Target[] = [
  ...(onPath('redis-server') ? ['redis-server' as const] : []),
  ...transports,
];

/** A delayed job's delay: short, and the assertion is only that it ran no earlier. */
const DELAY_MS = 250;

interface Settled {
  readonly completed: Map<string, unknown>;
  readonly failed: Map<string, string>;
}

/** Resolves once `count` jobs have completed or failed for good, with what each ended with. */
function settle(worker: Worker, count: number): Promise<Settled> {
  const completed = new Map<string, unknown>();
  const failed = new Map<string, string>();
  return new Promise((resolve) => {
    const check = (): void => {
      if (completed.size + failed.size === count) resolve({ completed, failed });
    };
    worker.on('completed', (job: Job, result: unknown) => {
      completed.set(job.name, result);
      check();
    });
    worker.on('failed', (job: Job | undefined, error: Error) => {
      // A job with attempts left is retried: only its last failure settles it.
      if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        failed.set(job.name, error.message);
        check();
      }
    });
  });
}

describe.each(targets)('BullMQ on %s', (target) => {
  let port = 0;
  let stop: () => Promise<void> = async () => {};
  let admin: Redis;
  let queueNumber = 0;
  /** A queue name of its own for each test (BullMQ keys are bull:<name>:...). */
  const queueName = (): string => `jobs${++queueNumber}`;

  beforeAll(async () => {
    if (target === 'redis-server') {
      const redis = await startRedisServer();
      port = redis.port;
      stop = () => redis.stop();
    } else {
      // A Queue and a Worker hold three connections (the Worker's blocking one is its own); the pool needs a
      // worker thread for each.
      const server = await startTestServer(target, { workers: 8 });
      port = server.port;
      stop = () => server.close();
    }
    admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
  });
  afterAll(async () => {
    await admin?.quit();
    await stop();
  });

  const connection = (): { host: string; port: number } => ({ host: '127.0.0.1', port });

  it('starts a Worker on an empty queue, lists it, reads the Queue and closes', async () => {
    const name = queueName();
    const queue = new Queue(name, { connection: connection() });
    const worker = new Worker(name, async () => 'unused', { connection: connection(), name: 'reader' });
    const errors: Error[] = [];
    worker.on('error', (error) => errors.push(error));
    try {
      await worker.waitUntilReady();
      expect(worker.isRunning()).toBe(true);
      expect((await queue.getWorkers()).map((w) => w.name)).toEqual([name]);
      expect(await queue.getJobCounts()).toEqual({
        active: 0,
        completed: 0,
        delayed: 0,
        failed: 0,
        prioritized: 0,
        waiting: 0,
        'waiting-children': 0,
      });
      expect(await queue.isPaused()).toBe(false);
      expect(await queue.count()).toBe(0);
      expect(await queue.getJobs()).toEqual([]);
      expect(await queue.getGlobalConcurrency()).toBeNull();
      await queue.setGlobalConcurrency(2);
      expect(await queue.getGlobalConcurrency()).toBe(2);
    } finally {
      // Closing a Worker blocked in BZPOPMIN on its marker must end that wait, not sit out its timeout.
      await worker.close();
      await queue.close();
    }
    expect(errors).toEqual([]);
  });

  it('processes jobs: completed and failed events, a retried job, a delayed one after its delay', async () => {
    const name = queueName();
    const queue = new Queue(name, { connection: connection() });
    const worker = new Worker(
      name,
      async (job: Job<{ n?: number; fail?: 'always' | 'once' }>) => {
        if (job.data.fail === 'always' || (job.data.fail === 'once' && job.attemptsMade === 0))
          throw new Error(`no good: ${job.name}`);
        return { doubled: (job.data.n ?? 0) * 2 };
      },
      { connection: connection(), autorun: false },
    );
    const errors: Error[] = [];
    worker.on('error', (error) => errors.push(error));
    const settled = settle(worker, 5);
    try {
      await queue.add('one', { n: 1 });
      await queue.add('two', { n: 2 });
      await queue.add('broken', { fail: 'always' });
      await queue.add('flaky', { n: 3, fail: 'once' }, { attempts: 2 });
      const delayed = await queue.add('later', { n: 4 }, { delay: DELAY_MS });
      expect(await delayed.getState()).toBe('delayed');
      void worker.run();
      const { completed, failed } = await settled;

      expect(Object.fromEntries(completed)).toEqual({
        one: { doubled: 2 },
        two: { doubled: 4 },
        flaky: { doubled: 6 },
        later: { doubled: 8 },
      });
      expect(Object.fromEntries(failed)).toEqual({ broken: 'no good: broken' });
      const later = await queue.getJob(delayed.id ?? '');
      expect(later?.returnvalue).toEqual({ doubled: 8 });
      expect((later?.processedOn ?? 0) - (later?.timestamp ?? 0)).toBeGreaterThanOrEqual(DELAY_MS);
      const broken = (await queue.getJobs(['failed']))[0];
      expect([broken.name, broken.failedReason, broken.attemptsMade]).toEqual([
        'broken',
        'no good: broken',
        1,
      ]);
      const flaky = (await queue.getJobs(['completed'])).find((job) => job.name === 'flaky');
      expect(flaky?.attemptsMade).toBe(2);
      expect(await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting', 'active')).toEqual({
        completed: 4,
        failed: 1,
        delayed: 0,
        waiting: 0,
        active: 0,
      });
    } finally {
      await worker.close();
      await queue.close();
    }
    expect(errors).toEqual([]);
  });
  it('reports through QueueEvents: waitUntilFinished, completed and failed events; logs, pause, obliterate', async () => {
    const name = queueName();
    const queue = new Queue(name, { connection: connection() });
    const events = new QueueEvents(name, { connection: connection() });
    const worker = new Worker(
      name,
      async (job: Job<{ n: number }>) => {
        await job.log(`working on ${job.data.n}`);
        if (job.data.n < 0) throw new Error('negative');
        return job.data.n + 1;
      },
      { connection: connection() },
    );
    const errors: Error[] = [];
    worker.on('error', (error) => errors.push(error));
    events.on('error', (error) => errors.push(error));
    const seen: string[] = [];
    events.on('completed', ({ jobId, returnvalue }) =>
      seen.push(`completed ${jobId} ${String(returnvalue)}`),
    );
    events.on('failed', ({ jobId, failedReason }) => seen.push(`failed ${jobId} ${failedReason}`));
    // waitUntilFinished can settle from the job's stored state before QueueEvents has read the events themselves.
    const bothSeen = new Promise<void>((resolve) => {
      const check = (): void => {
        if (seen.length >= 2) resolve();
      };
      events.on('completed', check);
      events.on('failed', check);
    });
    try {
      // Its XREAD BLOCK must be waiting before the jobs' events are written, or it reads from after them.
      await events.waitUntilReady();
      const good = await queue.add('good', { n: 41 });
      const bad = await queue.add('bad', { n: -1 });
      expect(await good.waitUntilFinished(events)).toBe(42);
      await expect(bad.waitUntilFinished(events)).rejects.toThrow('negative');
      await bothSeen;
      expect(seen.sort()).toEqual([`completed ${good.id} 42`, `failed ${bad.id} negative`]);
      expect(await queue.getJobLogs(good.id ?? '')).toEqual({ logs: ['working on 41'], count: 1 });

      await queue.pause();
      expect(await queue.isPaused()).toBe(true);
      const held = await queue.add('held', { n: 1 });
      expect(await held.getState()).toBe('waiting');
      await queue.resume();
      expect(await queue.isPaused()).toBe(false);
      expect(await held.waitUntilFinished(events)).toBe(2);
    } finally {
      await worker.close();
      await events.close();
    }
    await queue.obliterate({ force: true });
    expect(await admin.keys(`bull:${name}:*`)).toEqual([]);
    await queue.close();
    expect(errors).toEqual([]);
  });
});
