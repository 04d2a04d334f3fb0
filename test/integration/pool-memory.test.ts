// The pool gives back what bad input made it take, watched from outside as an operator would: a real server
// process (the built CLI, 4 workers) gets a storm of 1 MiB pieces of announced 300 MiB bulks and of
// 10,001-argument requests (bench/lib/bad-input.ts), and its RSS is read from /proc/PID/status. Before the fix
// the same storm left it 100-145 MB above its baseline for good; now each worker frees a large query buffer at
// once and, after such a client, collects and calls malloc_trim (INFO memory pool_buffers_released,
// pool_memory_trims), and RSS comes back within a generous bound. Waits on conditions, never on a sleep.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { badInputStorm } from '../../bench/lib/bad-input.js';
import { BenchClient, replyText } from '../../bench/lib/client.js';
import { rssKb } from '../../bench/lib/proc.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { until } from '../support/wait.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

const native = loadNative();
const MB = 1024;
/** Above the baseline once the storm is over: 25 MB measured with the fix, 100-145 MB without. */
const SETTLED_GROWTH_KB = 70 * MB;

let child: ChildProcess | null = null;
afterEach(() => {
  if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

/** The built CLI as its own process, on a free port: resolves with its PID and port once it is listening. */
async function startPool(workers: number): Promise<{ pid: number; port: number }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REDIS_LITE_')));
  const started = spawn(
    process.execPath,
    [CLI, '--transport', 'pool', '--workers', String(workers), '--port', '0'],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child = started;
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    started.stdout?.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const ready =
        /"port":(\d+).*ready to accept/.exec(out) ?? /ready to accept connections on [^:]+:(\d+)/.exec(out);
      if (ready) resolve(Number(ready[1]));
    });
    started.once('exit', (code) =>
      reject(new Error(`the server exited (${code}) before it listened: ${out}`)),
    );
  });
  return { pid: started.pid as number, port };
}

async function infoField(port: number, field: string): Promise<number> {
  const client = await BenchClient.connect({ host: '127.0.0.1', port });
  try {
    const info = replyText(await client.call(['INFO', 'memory'], 5000));
    return Number(new RegExp(`\r\n${field}:(\\d+)\r\n`).exec(info)?.[1]);
  } finally {
    client.close();
  }
}

describe.skipIf(native instanceof Error)('pool memory under bad input', () => {
  it('frees outsized buffers, trims after outsized clients, and its RSS comes back near its baseline', async () => {
    const running = await startPool(4);
    const rss = (): number => rssKb(running.pid) ?? Number.NaN;
    const baseline = rss();
    expect(baseline).toBeGreaterThan(0);
    for (const kind of ['huge-bulk', 'many-args'] as const) {
      const storm = await badInputStorm({
        host: '127.0.0.1',
        port: running.port,
        kind,
        clients: 200,
        concurrency: 4,
      });
      expect(storm).toMatchObject({ timedOut: 0, failed: 0 });
    }
    // Each huge-bulk client's query buffer outgrew several large buffers, every one freed at once.
    expect(await infoField(running.port, 'pool_buffers_released')).toBeGreaterThanOrEqual(200);
    await until(
      () => rss() - baseline < SETTLED_GROWTH_KB,
      'RSS is back within 70 MB of its baseline',
      20_000,
    );
    expect(await infoField(running.port, 'pool_memory_trims')).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
