// Keeps track of every child process a bench starts and kills them all (by PID, SIGKILL as a last resort)
// when the bench exits, fails or is interrupted, so no server or idle-connection holder outlives its run.

import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  installCleanup();
  return child;
}

export function killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.once('exit', () => killAll());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${live.size} child process(es)\n`);
      killAll();
      process.exit(130);
    });
  }
}

/** Wait for a child's exit, at most ms; SIGKILL it if it has not exited by then. */
export function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
