// The pool's choice of worker entry: the one-file bundle only while it is at least as new as every module it
// was built from (so a bare `tsc` after an edit never runs stale worker code), else worker.js.

import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseWorkerEntry } from '../../src/transport/threadpool/worker-entry.js';

let dir: string;
const url = (): URL => pathToFileURL(dir + '/');
const at = (name: string, seconds: number): void => utimesSync(join(dir, name), seconds, seconds);

function write(name: string, text: string, seconds: number): void {
  writeFileSync(join(dir, name), text);
  at(name, seconds);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'worker-entry-'));
  write('worker.js', '', 1000);
  write('core.js', '', 1000);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('chooseWorkerEntry', () => {
  it('starts worker.js when there is no bundle', () => {
    expect(chooseWorkerEntry(url())).toEqual({ url: pathToFileURL(join(dir, 'worker.js')), bundled: false });
  });

  it('starts the bundle when it is newer than every input', () => {
    write('worker.bundle.cjs', '', 2000);
    write('worker.bundle.json', JSON.stringify({ inputs: ['worker.js', 'core.js'] }), 2000);
    expect(chooseWorkerEntry(url())).toEqual({
      url: pathToFileURL(join(dir, 'worker.bundle.cjs')),
      bundled: true,
    });
  });

  it('falls back to worker.js when an input was rebuilt after the bundle', () => {
    write('worker.bundle.cjs', '', 2000);
    write('worker.bundle.json', JSON.stringify({ inputs: ['worker.js', 'core.js'] }), 2000);
    at('core.js', 3000);
    expect(chooseWorkerEntry(url())).toEqual({
      url: pathToFileURL(join(dir, 'worker.js')),
      bundled: false,
      reason: 'core.js is newer than the bundle',
    });
  });

  it('falls back when an input is gone or the manifest is missing or empty', () => {
    write('worker.bundle.cjs', '', 2000);
    expect(chooseWorkerEntry(url()).reason).toBe('worker.bundle.json is missing or unreadable');
    write('worker.bundle.json', JSON.stringify({ inputs: [] }), 2000);
    expect(chooseWorkerEntry(url()).reason).toBe('worker.bundle.json lists no inputs');
    write('worker.bundle.json', JSON.stringify({ inputs: ['worker.js', 'gone.js'] }), 2000);
    expect(chooseWorkerEntry(url())).toMatchObject({ bundled: false, reason: 'its input gone.js is gone' });
  });
});
