// appendfsync always on a real process killed with SIGKILL under write load from several connections (on the pool
// and the hybrid, several threads): after a restart on the same file, every write that was acknowledged before the
// kill is there (issue 17: "always: none lost"). A killed process loses what it had not written, not what the
// kernel holds, so this shows each write reaches the file before its reply; the fsync is for a machine that stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { transports } from '../support/server.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the built CLI on a free port with the file in `dir`; resolves with the process and its port. */
function launch(transport: string, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [CLI, '--port', '0', '--transport', transport, '--workers', '4', '--appendonly', 'yes'].concat([
      '--appendfsync',
      'always',
      '--dir',
      dir,
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const ready = /"port":(\d+),.*ready to accept connections/.exec(out);
      if (ready !== null) resolve({ child, port: Number(ready[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${out}`)));
  });
}

describe.each(transports)('%s transport: appendfsync always and SIGKILL', (transport) => {
  it('keeps every acknowledged write', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-crash-'));
    const { child, port } = await launch(transport, dir);
    const clients = [0, 1, 2].map(
      () =>
        new Redis({
          port,
          host: '127.0.0.1',
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          retryStrategy: () => null,
        }),
    );
    for (const c of clients) c.on('error', () => undefined); // the kill resets them: expected
    await Promise.all(clients.map((c) => c.connect()));
    const acked: string[] = [];
    let killed = false;
    const writers = clients.map(async (c, w) => {
      for (let i = 0; !killed; i++) {
        try {
          await c.set(`k:${w}:${i}`, String(i));
          acked.push(`k:${w}:${i}`);
        } catch {
          return; // the server is gone
        }
      }
    });
    const enough = new Promise<void>((resolve) => {
      const check = (): void => void (acked.length >= 300 ? resolve() : setTimeout(check, 5));
      check();
    });
    await Promise.race([enough, Promise.all(writers)]);
    expect(acked.length).toBeGreaterThanOrEqual(300); // the writers did not stop on their own
    child.kill('SIGKILL');
    killed = true;
    await Promise.all(writers);
    clients.forEach((c) => c.disconnect());
    const restarted = await launch(transport, dir);
    const reader = new Redis({ port: restarted.port, host: '127.0.0.1' });
    try {
      const values = await reader.mget(acked);
      const missing = acked.filter((_, i) => values[i] === null);
      expect(missing).toEqual([]);
    } finally {
      reader.disconnect();
      restarted.child.kill('SIGTERM');
    }
  });
});
