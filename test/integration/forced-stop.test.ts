// A close that has to terminate a hybrid loop still inside a command: the loop dies holding its key's segment
// lock (worker.terminate() runs no finally block), and the final save that follows must not wait on that lock
// forever. The server runs in a child process (from dist/), so a close that blocks its main thread for good is a
// child that never says it closed, killed by PID at the test's bound, rather than a hung test run.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { transports } from '../support/server.js';

/** Far above the close's own bound (grace 100 ms + the loop group's 2 s, then a 1 s lock wait), below vitest's. */
const CLOSE_BOUND_MS = 15_000;

describe.skipIf(!transports.includes('hybrid'))('hybrid transport: a loop terminated by the close', () => {
  it('does not leave the final save waiting for a lock the terminated loop held', async () => {
    const root = new URL('../../', import.meta.url);
    const dist = (path: string): string => new URL(`dist/src/${path}`, root).href;
    const dir = mkdtempSync(join(tmpdir(), 'redis-lite-forced-stop-'));
    // The EXEC holds "held"'s segment write lock through DEBUG SLEEP: the loop cannot stop within the grace.
    const script = `
      import net from 'node:net';
      import { startServer } from '${dist('server.js')}';
      import { HEADER_INTS, H_SEGMENTS, S_LOCK, SEGMENT_INTS } from '${dist('core/store/layout.js')}';
      const server = await startServer({ host: '127.0.0.1', port: 0, transport: 'hybrid', workers: 2,
        closeGraceMs: 100, logLevel: 'info', logFormat: 'json',
        config: { 'enable-debug-command': 'yes', save: '3600 1', dir: ${JSON.stringify(dir)} } });
      const control = new Int32Array(server.store.handles().control);
      const writeHeld = () => Array.from({ length: control[H_SEGMENTS] },
        (_, s) => Atomics.load(control, HEADER_INTS + s * SEGMENT_INTS + S_LOCK)).includes(-1);
      const client = net.connect(server.address.port, '127.0.0.1');
      client.on('error', () => {});
      client.write('MULTI\\r\\nSET held 1\\r\\nDEBUG SLEEP 60\\r\\nEXEC\\r\\n');
      while (!writeHeld()) await new Promise((resolve) => setTimeout(resolve, 5));
      console.log(JSON.stringify({ msg: 'lock held' }));
      await server.close();
      console.log(JSON.stringify({ msg: 'closed' }));
      process.exit(0);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(root),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const messages: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (line.startsWith('{')) messages.push((JSON.parse(line) as { msg: string }).msg);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let bound: NodeJS.Timeout | undefined;
    const overdue = new Promise<'overdue'>((resolve) => {
      bound = setTimeout(() => resolve('overdue'), CLOSE_BOUND_MS);
    });
    try {
      const outcome = await Promise.race([exited, overdue]);
      expect(messages).toContain('lock held');
      expect(outcome, `the close did not end; the server logged: ${messages.join(' | ')}`).toBe(0);
      expect(messages).toContain(
        'hybrid loops still running after the close grace: terminated; locks they held are abandoned',
      );
      // The save could not have the lock: it failed, and a signal's close exits anyway, as FORCE does.
      expect(messages).toContain('Error trying to save the DB. Exit anyway.');
      expect(messages.at(-1)).toBe('closed');
    } finally {
      clearTimeout(bound);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
