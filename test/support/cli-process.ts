// Test fixture: the built `redis-lite` command (dist/src/cli.js) as a real child process on a free port, for
// tests that need a process to exit or to die (SHUTDOWN, SIGKILL): started with the given flags, ready once it
// logs its port, and killed with SIGKILL by stopAll() if a test left it running. Waits on output and exit
// events only.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Everything it wrote to stdout so far (its JSON log lines). */
  output(): string;
}

const started: ChildProcess[] = [];

/** SIGKILLs every process started here that is still running (call from afterEach). */
export function stopAll(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts the CLI with `--port 0` and `args`; resolves once a log line with its port matches `ready` (by default
 * the ready line; /Loading the dataset/ to connect while it loads).
 */
export function launchServer(
  args: readonly string[],
  ready: RegExp = /ready to accept connections/,
): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (err += text));
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const line = out.split('\n').find((l) => ready.test(l) && /"port":\d+/.test(l));
      const port = line === undefined ? null : /"port":(\d+)/.exec(line);
      if (port) resolve({ child, port: Number(port[1]), exited, output: () => out });
    });
    void exited.then((code) =>
      reject(new Error(`server exited (${code}) before it was ready: ${out}${err}`)),
    );
  });
}
