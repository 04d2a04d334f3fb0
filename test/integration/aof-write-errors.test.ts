// Writing the append-only file fails on a real server, on every transport, the disk's failures played by an
// AofFaultSwitch (ServerOptions.aofFaults) that every thread's writer reads: with appendfsync everysec the write
// whose write-out failed is answered, later writes (and PING) get Redis's -MISCONF with the errno's text while
// reads still work, the server logs what Redis logs, and once the disk works again the end of the next turn (or
// the once-a-second retry) writes the held commands, which replay on restart; with appendfsync always the server stops instead (Redis
// exits), the failed write unanswered.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AofFaultSwitch } from '../../src/core/aof/aof-fault-switch.js';
import { infoFields, untilInfo } from '../support/info-wait.js';
import { resp } from '../support/raw-client.js';
import { startTestServer, transports, type LogLine, type TestServer } from '../support/server.js';

const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-write-errors-'));
const message = (text: string) => (line: LogLine) => line.msg === text;
const startingWith = (text: string) => (line: LogLine) => line.msg?.startsWith(text) === true;

const ENOSPC_REFUSAL = '-MISCONF Errors writing to the AOF file: No space left on device\r\n';

function start(transport: (typeof transports)[number], dir: string, extra: object = {}): Promise<TestServer> {
  return startTestServer(transport, { config: { appendonly: 'yes', dir }, ...extra });
}

describe.each(transports)('%s transport: a failing append-only file', (transport) => {
  it('everysec: -MISCONF for writes and PING, reads served; after recovery the held writes replay', async () => {
    const dir = tempDir();
    const faults = AofFaultSwitch.create();
    const server = await start(transport, dir, { aofFaults: faults.buffer });
    try {
      const c = await server.connect();
      expect(await c.request(resp('SET', 'a', '1'), '+OK\r\n')).toBe('+OK\r\n');
      // A transaction queued before the disk fills: its EXEC is a write command (is_write_command).
      const queued = await server.connect();
      expect(await queued.request(resp('MULTI'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await queued.request(resp('SET', 'q', '1'), '+QUEUED\r\n')).toBe('+QUEUED\r\n');
      // The disk takes 10 more bytes and is full: a short write, cut back off the file.
      faults.failWrites('ENOSPC', 10);
      // The write whose write-out failed is answered (the data set has it; Redis sends the reply too).
      expect(await c.request(resp('SET', 'b', '2'), '+OK\r\n')).toBe('+OK\r\n');
      await server.logs.waitFor(
        startingWith('Short write while writing to the AOF file: (nwritten=10, expected='),
      );
      expect(await c.request(resp('SET', 'c', '3'), ENOSPC_REFUSAL)).toBe(ENOSPC_REFUSAL);
      expect(await c.request(resp('PING'), ENOSPC_REFUSAL)).toBe(ENOSPC_REFUSAL);
      expect(await c.request(resp('GET', 'b'), '$1\r\n2\r\n')).toBe('$1\r\n2\r\n');
      await c.send(resp('INFO', 'persistence'));
      expect(await c.readBulk()).toContain('aof_last_write_status:err\r\n');
      const execRefused = `-EXECABORT Transaction discarded because of: ${ENOSPC_REFUSAL.slice(1)}`;
      expect(await queued.request(resp('EXEC'), execRefused)).toBe(execRefused);
      // A script's first write is refused the same way (script.c scriptVerifyWriteCommandAllow).
      await c.send(resp('EVAL', "return redis.call('SET', 'x', '1')", '0'));
      expect(await c.readLine()).toMatch(/^-MISCONF Errors writing to the AOF file: No space left on device/);
      // A MULTI with a refused command is aborted, as processCommand's rejection flags the transaction.
      expect(await c.request(resp('MULTI'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await c.request(resp('INCR', 'n'), ENOSPC_REFUSAL)).toBe(ENOSPC_REFUSAL);
      const aborted = '-EXECABORT Transaction discarded because of previous errors.\r\n';
      expect(await c.request(resp('EXEC'), aborted)).toBe(aborted);

      // A rewrite's cut would put the held commands after it, where they would replay twice: the rewrite fails.
      const info = { info: async (section: string) => (await c.send(resp('INFO', section)), c.readBulk()) };
      const started = '+Background append only file rewriting started\r\n';
      expect(await c.request(resp('BGREWRITEAOF'), started)).toBe(started);
      await untilInfo(
        info,
        'persistence',
        (f) => f.get('aof_rewrite_in_progress') === '0',
        'the rewrite ended',
      );
      expect(infoFields(await info.info('persistence')).get('aof_last_bgrewrite_status')).toBe('err');
      await server.logs.waitFor(
        startingWith('Background AOF rewrite failed: the append only file cannot be written'),
      );

      faults.clear();
      // Refused still (the status is read before the turn's end writes), unless the once-a-second retry came first;
      // the end of the turn that refused it writes what was held (beforeSleep's flushAppendOnlyFile), so the next
      // write is accepted without waiting for that timer.
      await c.send(resp('SET', 'd', '0'));
      expect(['+OK', ENOSPC_REFUSAL.trimEnd()]).toContain((await c.readLine()).trimEnd());
      expect(await c.request(resp('SET', 'd', '4'), '+OK\r\n')).toBe('+OK\r\n');
      await server.logs.waitFor(message('AOF write error looks solved, Redis can write again.'));
      const after = infoFields(await info.info('persistence'));
      expect(after.get('aof_last_write_status')).toBe('ok');
      expect(after.get('aof_buffer_length')).toBe('0');
    } finally {
      await server.close();
    }
    const again = await start(transport, dir);
    try {
      const c = await again.connect();
      await c.send(resp('MGET', 'a', 'b', 'c', 'd', 'q'));
      const values = '*5\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$1\r\n4\r\n$-1\r\n';
      expect(await c.readText(values)).toBe(values);
    } finally {
      await again.close();
    }
  });

  it('always: a failed write stops the server, the write unanswered and not in the file', async () => {
    const dir = tempDir();
    const faults = AofFaultSwitch.create();
    let stopped!: () => void;
    const fatal = new Promise<void>((resolve) => (stopped = resolve));
    const server = await startTestServer(transport, {
      config: { appendonly: 'yes', dir, appendfsync: 'always' },
      aofFaults: faults.buffer,
      onFatal: () => stopped(),
    });
    try {
      const c = await server.connect();
      expect(await c.request(resp('SET', 'a', '1'), '+OK\r\n')).toBe('+OK\r\n');
      faults.failWrites('EIO');
      await c.send(resp('SET', 'b', '2'));
      await fatal; // the CLI exits with status 1 here
      await server.logs.waitFor(
        message("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..."),
      );
      expect(server.logs.matching('Error writing to the AOF file: Input/output error').length).toBe(1);
      expect((await c.readToEnd()).toString('latin1')).toBe(''); // its reply never went out
      server.server.abort(); // what the process's exit does to every other client
    } finally {
      await server.close();
    }
    const again = await start(transport, dir);
    try {
      const c = await again.connect();
      await c.send(resp('MGET', 'a', 'b'));
      expect(await c.readText('*2\r\n$1\r\n1\r\n$-1\r\n')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
    } finally {
      await again.close();
    }
  });
});
