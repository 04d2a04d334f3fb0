// The built `redis-lite` command as a user runs it (dist/src/cli.js; `npm test` builds first): options from
// flags and REDIS_LITE_* variables, the start-up line, SIGINT/SIGTERM exit codes, one clear line and exit 1
// when the port is taken, and maxclients lowered to the descriptor limit. Waits on output and exit events.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, resp } from '../support/raw-client.js';
import { transports } from '../support/server.js';
import { until } from '../support/wait.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

interface Spawned {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first JSON log line that matches (already logged or still to come). */
  line(match: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** Raw stdout (with `raw: true`, lines are not parsed as JSON). */
  stdout(): string;
}

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * The descriptor limit (ulimit -n) the tests of running out start the CLI under: low, but not so low that Node's
 * module loader, which has well over a hundred of the server's files open at once while it starts, fails (160 no
 * longer sufficed once ACL and the stream modules were added: EMFILE at start-up; 192 did).
 */
const DESCRIPTOR_LIMIT = 256;

/** Runs the CLI; `shell` wraps it in `sh -c` (for ulimit). Log lines are parsed as they arrive. */
function run(
  args: string[],
  options: { env?: Record<string, string>; ulimit?: number; raw?: boolean; nodeArgs?: string[] } = {},
): Spawned {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  // Only the variables the test means: a stray REDIS_LITE_* in the caller's environment would be an option.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('REDIS_LITE_')),
  );
  const env = { ...inherited, ...options.env };
  const child =
    options.ulimit === undefined
      ? spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn('sh', ['-c', `ulimit -n ${options.ulimit} && exec "$0" "$@"`, process.execPath, CLI, ...args], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  running.push(child);
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let partial = '';
  let stderr = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    if (options.raw === true) return;
    partial += text;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const raw of complete) {
      if (raw === '') continue;
      const line = JSON.parse(raw) as Record<string, unknown>;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].match(line)) waiters.splice(i, 1)[0].resolve(line);
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': stdout is fully read by then.
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    line: (match) => {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve })),
        exited.then(({ code }) => {
          throw new Error(
            `exited (${code}) before the expected line; stdout: ${JSON.stringify(lines)}; stderr: ${stderr}`,
          );
        }),
      ]);
    },
  };
}

const isReady = (l: Record<string, unknown>): boolean =>
  typeof l.msg === 'string' && l.msg.includes('ready to accept');

describe('redis-lite CLI', () => {
  it('prints its version and help', async () => {
    const version = run(['--version'], { raw: true });
    expect({ ...(await version.exited), stderr: version.stderr() }).toEqual({
      code: 0,
      signal: null,
      stderr: '',
    });
    expect(version.stdout().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = run(['--help'], { raw: true });
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toContain('--transport');
    expect(help.stdout()).toContain('REDIS_LITE_PORT');
  });

  it('is built executable, so the project folder can run it by its bin name', () => {
    // npx redis-lite runs the bin itself where npm does not link (and chmod) it first: scripts/executable-bin.mjs.
    expect(statSync(CLI).mode & 0o111).toBe(0o111);
  });

  it('documents every option it takes in the README', async () => {
    const help = run(['--help'], { raw: true });
    expect((await help.exited).code).toBe(0);
    const options = new Set(help.stdout().match(/--[a-z][a-z-]*/g));
    expect(options.size).toBeGreaterThan(10);
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    expect([...options].filter((option) => !readme.includes(option))).toEqual([]);
  });

  it('takes options from REDIS_LITE_* variables, logs one start-up line, serves, and exits 0 on SIGINT', async () => {
    const server = run([], { env: { REDIS_LITE_PORT: '0', REDIS_LITE_REQUIREPASS: 'pw', NODE_OPTIONS: '' } });
    const ready = await server.line(isReady);
    // The young generation is held at V8's start-up size (src/young-generation.ts) unless a flag sizes it.
    expect(ready).toMatchObject({
      level: 30,
      transport: 'eventloop',
      host: '127.0.0.1',
      youngGenerationHeld: true,
    });
    expect(typeof ready.version).toBe('string');
    const port = ready.port as number;
    expect(port).toBeGreaterThan(0);
    const client = await RawClient.connect(port);
    expect(await client.request(resp('PING'), '-NOAUTH Authentication required.\r\n')).toBe(
      '-NOAUTH Authentication required.\r\n',
    );
    expect(await client.request(resp('AUTH', 'pw'), '+OK\r\n')).toBe('+OK\r\n');
    // A half-sent request is dropped; the client is closed.
    await client.send('*1\r\n$4\r\nPI');
    server.child.kill('SIGINT');
    await client.closed;
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Nothing on the per-request path at the default level: start-up, shutdown and bye only.
    expect(server.lines.map((l) => l.level)).toEqual([30, 30, 30]);
  });

  it('leaves the young generation to V8 when NODE_OPTIONS sizes it, and says so in its start-up line', async () => {
    const server = run(['--port', '0'], { env: { NODE_OPTIONS: '--max-semi-space-size=4' } });
    expect(await server.line(isReady)).toMatchObject({ youngGenerationHeld: false });
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it.each(transports.filter((t) => t !== 'eventloop'))(
    '%s: starts its threads under node flags that are V8 or per-process ones, and serves',
    async (transport) => {
      // Worker threads refuse such flags when given them by name; inherited (Node's default) they are the process's.
      const server = run(['--port', '0', '--transport', transport, '--workers', '2'], {
        nodeArgs: ['--max-semi-space-size=4', '--stack-size=2000'],
        env: { NODE_OPTIONS: '' },
      });
      const ready = await server.line(isReady);
      expect(ready).toMatchObject({ transport, youngGenerationHeld: false });
      const client = await RawClient.connect(ready.port as number);
      expect(await client.request(resp('SET', 'user:1', 'alice'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await client.request(resp('GET', 'user:1'), '$5\r\nalice\r\n')).toBe('$5\r\nalice\r\n');
      client.destroy();
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    },
  );

  it('exits 0 on SIGTERM too', async () => {
    const server = run(['--port', '0']);
    await server.line(isReady);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('exits at once (143) on a second signal while the first close waits on a client', async () => {
    const server = run(['--port', '0']);
    const port = (await server.line(isReady)).port as number;
    // A client that keeps its side open after the server's FIN holds the graceful close for its grace period.
    const stubborn = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    stubborn.on('error', () => {});
    stubborn.on('data', () => {});
    await new Promise((resolve) => stubborn.once('connect', resolve));
    stubborn.write(resp('PING'));
    await new Promise((resolve) => stubborn.once('data', resolve));
    server.child.kill('SIGINT');
    await server.line((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 143, signal: null });
    stubborn.destroy();
  });

  it('logs one clear line and exits 1 when the port is in use', async () => {
    const first = run(['--port', '0']);
    const port = (await first.line(isReady)).port as number;
    const second = run(['--port', String(port)]);
    expect((await second.exited).code).toBe(1);
    expect(second.lines).toHaveLength(1);
    expect(second.lines[0]).toMatchObject({
      level: 60,
      code: 'EADDRINUSE',
      msg: `cannot listen on 127.0.0.1:${port}: address already in use`,
    });
    expect(second.stderr()).toBe('');
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
  });

  /** The usage error every bad flag or value gets: one line on stderr, the pointer to --help, exit 1. */
  const usageError = (line: string): string =>
    `redis-lite: ${line}\nRun redis-lite --help for the options.\n`;

  it('answers every bad flag or value with the same short usage error and exit 1, naming the option', async () => {
    const cases: [string[], string][] = [
      [['--port', 'abc'], 'invalid --port: not a number'],
      [['--port', '70000'], "invalid --port '70000': argument must be between 0 and 65535 inclusive"],
      [
        ['--port', '0', '--maxclients', '0'],
        "invalid --maxclients '0': argument must be between 1 and 4294967295 inclusive",
      ],
      // --workers is the pool's io-threads setting, reported under the flag's name; refused on any transport.
      [
        ['--port', '0', '--transport', 'pool', '--workers', '0'],
        "invalid --workers '0': must be a whole number, at least 1",
      ],
      [['--port', '0', '--workers', '0'], "invalid --workers '0': must be a whole number, at least 1"],
      [
        ['--port', '0', '--timeout', '-1'],
        "invalid --timeout '-1': argument must be between 0 and 2147483647 inclusive",
      ],
      [['--port', '0', '--http-port', '70000'], "invalid --http-port '70000': must be 0 to 65535"],
      [['--port', '0', '--http-port', 'x'], 'invalid --http-port: not a number'],
      [['--port', '0', '--bogus-opt', '1'], 'unknown option --bogus-opt'],
      [['--port', '0', 'stray'], "unexpected argument 'stray'"],
      // A value outside an option's choices: one line too (yargs's own report spans several).
      [
        ['--port', '0', '--transport', 'x'],
        "invalid --transport 'x': must be one of eventloop, pool, hybrid",
      ],
      [['--port', '0', '--log-format', 'xml'], "invalid --log-format 'xml': must be one of json, pretty"],
    ];
    const spawned = cases.map(([args]) => run(args, { raw: true }));
    for (const [i, [, line]] of cases.entries()) {
      expect((await spawned[i].exited).code).toBe(1);
      expect(spawned[i].stderr()).toBe(usageError(line));
      expect(spawned[i].stdout()).toBe(''); // no JSON fatal line: a usage error, not a failed start
    }
  });

  it('takes --inline-replies and REDIS_LITE_INLINE_REPLIES: resp answers "PING\\r\\n" with "+PONG"', async () => {
    const byFlag = run(['--port', '0', '--inline-replies', 'resp']);
    const byEnv = run([], { env: { REDIS_LITE_PORT: '0', REDIS_LITE_INLINE_REPLIES: 'resp' } });
    const byDefault = run(['--port', '0']);
    for (const [server, reply] of [
      [byFlag, '+PONG\r\n'],
      [byEnv, '+PONG\r\n'],
      [byDefault, 'PONG\n'],
    ] as const) {
      const client = await RawClient.connect((await server.line(isReady)).port as number);
      expect(await client.request('PING\r\n', reply)).toBe(reply);
      client.destroy();
      server.child.kill('SIGINT');
      expect((await server.exited).code).toBe(0);
    }
    const bad = run(['--port', '0', '--inline-replies', 'json'], { raw: true });
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr()).toContain('inline-replies');
  });

  it('serves HTTP on --http-port (and REDIS_LITE_HTTP_PORT), on --http-host, and logs where', async () => {
    const byFlag = run(['--port', '0', '--http-port', '0', '--http-host', '127.0.0.1']);
    const byEnv = run([], { env: { REDIS_LITE_PORT: '0', REDIS_LITE_HTTP_PORT: '0' } });
    for (const server of [byFlag, byEnv]) {
      const http = await server.line(
        (l) => typeof l.msg === 'string' && l.msg.startsWith('HTTP interface on'),
      );
      expect(http.host).toBe('127.0.0.1');
      const client = await RawClient.connect(http.port as number);
      await client.send('GET /PING HTTP/1.0\r\n\r\n');
      const response = await client.readToEnd();
      expect(response.toString('latin1')).toMatch(
        /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"PING":\[true,"PONG"\]\}$/,
      );
      server.child.kill('SIGINT');
      expect((await server.exited).code).toBe(0);
    }
    // Off unless asked for: no HTTP line.
    const plain = run(['--port', '0']);
    await plain.line(isReady);
    expect(plain.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('HTTP interface'))).toBe(
      false,
    );
    plain.child.kill('SIGINT');
    await plain.exited;
  });

  it('takes --hll-sparse-max-bytes in memory units, as redis-server does', async () => {
    const server = run(['--port', '0', '--hll-sparse-max-bytes', '1kb']);
    const client = await RawClient.connect((await server.line(isReady)).port as number);
    const shown = '*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n1024\r\n';
    expect(await client.request(resp('CONFIG', 'GET', 'hll-sparse-max-bytes'), shown)).toBe(shown);
    client.destroy();
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
    const refused = run(['--port', '0', '--hll-sparse-max-bytes', 'lots'], { raw: true });
    expect((await refused.exited).code).toBe(1);
    expect(refused.stdout()).toContain("invalid hll-sparse-max-bytes 'lots'");
  });

  it('takes --acl-pubsub-default: the --user users are made under it, whatever the order', async () => {
    const server = run(['--port', '0', '--user', 'u on nopass', '--acl-pubsub-default', 'ALLCHANNELS']);
    const client = await RawClient.connect((await server.line(isReady)).port as number);
    const shown = '*2\r\n$18\r\nacl-pubsub-default\r\n$11\r\nallchannels\r\n';
    expect(await client.request(resp('CONFIG', 'GET', 'acl-pubsub-default'), shown)).toBe(shown);
    const users = '*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$25\r\nuser u on nopass &* -@all\r\n';
    expect(await client.request(resp('ACL', 'LIST'), users)).toBe(users);
    client.destroy();
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
    const refused = run(['--port', '0', '--acl-pubsub-default', 'some'], { raw: true });
    expect((await refused.exited).code).toBe(1);
    expect(refused.stdout()).toContain("invalid acl-pubsub-default 'some'");
  });

  it('takes --databases and REDIS_LITE_DATABASES; 1 to 16384', async () => {
    const byFlag = run(['--port', '0', '--databases', '3']);
    const byEnv = run([], { env: { REDIS_LITE_PORT: '0', REDIS_LITE_DATABASES: '3' } });
    for (const server of [byFlag, byEnv]) {
      const client = await RawClient.connect((await server.line(isReady)).port as number);
      expect(await client.request(resp('SELECT', '2'), '+OK\r\n')).toBe('+OK\r\n');
      const refused = '-ERR DB index is out of range\r\n';
      expect(await client.request(resp('SELECT', '3'), refused)).toBe(refused);
      client.destroy();
      server.child.kill('SIGINT');
      expect((await server.exited).code).toBe(0);
    }
    for (const bad of ['0', '16385', 'x']) {
      const refused = run(['--port', '0', '--databases', bad], { raw: true });
      expect((await refused.exited).code).toBe(1);
      expect(refused.stderr()).toMatch(/^redis-lite: invalid --databases/);
    }
  });

  it('reads options of two words from their variables too (REDIS_LITE_LOG_FORMAT, REDIS_LITE_LOG_LEVEL)', async () => {
    const env = { REDIS_LITE_PORT: '0', REDIS_LITE_LOG_FORMAT: 'pretty', REDIS_LITE_LOG_LEVEL: 'info' };
    const server = run([], { env, raw: true });
    // pretty: a human line, not JSON; and nothing refused as an unknown option.
    await until(() => server.stdout().includes('ready to accept'), 'the pretty start-up line');
    expect(server.stdout().trimStart().startsWith('{')).toBe(false);
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
  });

  it('refuses an unknown option or REDIS_LITE_* variable once, saying which it was', async () => {
    const option = run(['--bogus-opt', '1'], { raw: true });
    expect((await option.exited).code).toBe(1);
    expect(option.stderr()).toContain('unknown option --bogus-opt\n');
    expect(option.stderr()).not.toContain('bogusOpt');
    const bare = run(['--port'], { raw: true }); // not the default port, silently
    expect((await bare.exited).code).toBe(1);
    expect(bare.stderr()).toContain('redis-lite: Not enough arguments following: port\n');
    expect(bare.stderr()).not.toContain('YError'); // a usage line, not a stack
    const variable = run([], { env: { REDIS_LITE_PROT: '1', REDIS_LITE_LOG_LEVL: 'info' }, raw: true });
    expect((await variable.exited).code).toBe(1);
    expect(variable.stderr()).toContain('unknown environment variable REDIS_LITE_PROT');
    expect(variable.stderr()).toContain('unknown environment variable REDIS_LITE_LOG_LEVL');
    expect(variable.stderr()).not.toContain('unknown option');
  });

  it('lowers maxclients to the descriptor limit minus 32, says so, and enforces it', async () => {
    const server = run(['--port', '0'], { ulimit: DESCRIPTOR_LIMIT });
    const warning = await server.line(
      (l) => l.level === 40 && typeof l.msg === 'string' && l.msg.includes('reduced'),
    );
    const maxclients = DESCRIPTOR_LIMIT - 32;
    expect(warning).toMatchObject({ requested: 10000, openFilesLimit: DESCRIPTOR_LIMIT, maxclients });
    const ready = await server.line(isReady);
    expect(ready.maxclients).toBe(maxclients);
    const value = String(maxclients);
    const reply = `*2\r\n$10\r\nmaxclients\r\n$${value.length}\r\n${value}\r\n`;
    const client = await RawClient.connect(ready.port as number);
    expect(await client.request(resp('CONFIG', 'GET', 'maxclients'), reply)).toBe(reply);
    const refused =
      "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able " +
      `to handle the specified number of clients, try with ${maxclients}\r\n`;
    expect(
      await client.request(resp('CONFIG', 'SET', 'maxclients', String(DESCRIPTOR_LIMIT + 40)), refused),
    ).toBe(refused);
    client.destroy();
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
  });

  describe.each(transports.filter((t) => t === 'hybrid'))('--transport=%s', (transport) => {
    it('starts with its loop count in its start-up line and exits 0 on SIGINT', async () => {
      const server = run(['--port', '0', '--transport', transport, '--workers', '2']);
      const ready = await server.line(isReady);
      expect(ready).toMatchObject({ transport: 'hybrid', workers: 2 });
      const client = await RawClient.connect(ready.port as number);
      expect(await client.request('PING\n', 'PONG\n')).toBe('PONG\n');
      server.child.kill('SIGINT');
      await client.closed;
      expect(await server.exited).toEqual({ code: 0, signal: null });
    });

    it('out of descriptors: turns clients away, logs once, does not spin, and serves again once they leave', async () => {
      const server = run(['--port', '0', '--transport', transport, '--workers', '2'], {
        ulimit: DESCRIPTOR_LIMIT,
      });
      const ready = await server.line(isReady);
      const port = ready.port as number;
      // maxclients is the limit less 32 here; the clients turned away past it linger (each holds a descriptor)
      // until the close grace, so accepting runs out of descriptors.
      const flood: RawClient[] = [];
      for (let i = 0; i < DESCRIPTOR_LIMIT + 60; i++) flood.push(await RawClient.connect(port));
      await server.line((l) => typeof l.msg === 'string' && l.msg.includes('out of file descriptors'));
      const cpuTicks = (): number => {
        const fields = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return Number(fields[11]) + Number(fields[12]); // utime + stime, 1/100 s
      };
      const before = cpuTicks();
      await new Promise((resolve) => setTimeout(resolve, 500)); // a measurement window, not a wait for an event
      expect(cpuTicks() - before).toBeLessThan(20);
      expect(server.lines.filter((l) => String(l.msg).includes('out of file descriptors'))).toHaveLength(1);
      const served = flood[0];
      expect(await served.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
      for (const client of flood) client.destroy();
      await Promise.all(flood.map((c) => c.closed));
      let answered = '';
      while (answered !== '+PONG\r\n') {
        const fresh = await RawClient.connect(port);
        answered = await fresh.request(resp('PING'), '+PONG\r\n').catch(() => '');
        fresh.destroy();
      }
      server.child.kill('SIGINT');
      expect((await server.exited).code).toBe(0);
    });
  });

  describe.each(transports.filter((t) => t === 'pool'))('--transport=%s', (transport) => {
    it('starts with the worker count in its start-up line and exits 0 on SIGINT', async () => {
      const server = run(['--port', '0', '--transport', transport, '--workers', '2']);
      const ready = await server.line(isReady);
      expect(ready).toMatchObject({ transport: 'pool', workers: 2 });
      const client = await RawClient.connect(ready.port as number);
      expect(await client.request('PING\n', 'PONG\n')).toBe('PONG\n');
      server.child.kill('SIGINT');
      await client.closed;
      expect(await server.exited).toEqual({ code: 0, signal: null });
    });

    it('exits at once (143) on a second signal while a worker is blocked writing to a client that never reads', async () => {
      const server = run(['--port', '0', '--transport', transport, '--workers', '1']);
      const port = (await server.line(isReady)).port as number;
      const loader = await RawClient.connect(port);
      const value = 'x'.repeat(1 << 20);
      expect(await loader.request(resp('SET', 'big', value), '+OK\r\n')).toBe('+OK\r\n');
      loader.socket.destroy();
      // 64 MiB of replies nobody reads: the worker blocks in write(2) once the socket buffers are full.
      const stubborn = net.connect({ port, host: '127.0.0.1' });
      stubborn.on('error', () => {});
      await new Promise((resolve) => stubborn.once('connect', resolve));
      stubborn.pause();
      stubborn.write(Buffer.concat(Array.from({ length: 64 }, () => resp('GET', 'big'))));
      server.child.kill('SIGINT');
      await server.line((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 143, signal: null });
      stubborn.destroy();
    });
  });
});
