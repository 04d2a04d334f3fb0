// adviseArenaHugePages (src/arena-huge-pages.ts): an advised arena that grows by 32 MB of values is backed by
// huge pages, an arena not advised is not. Each case runs in a fresh Node process, whose /proc/self/smaps holds
// only its own memory (this test runner's process also hosts other files' servers, which advise theirs).
// Skipped where the kernel offers no transparent huge pages or the native helper is not built (with the call). Runs the built
// modules (`npm test` builds first).

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asHugePages } from '../../src/transport/threadpool/native-addon.js';
import { loadNative } from '../../src/transport/threadpool/native.js';

const DIST = new URL('../../dist/src/', import.meta.url);
const THP_SETTING = '/sys/kernel/mm/transparent_hugepage/enabled';

/** Whether this kernel gives huge pages to memory advised so: `[always]` or `[madvise]` selected. */
function hugePagesOffered(): boolean {
  if (!existsSync(THP_SETTING)) return false;
  return /\[(always|madvise)\]/.test(readFileSync(THP_SETTING, 'utf8'));
}

/** With THP `always`, memory gets huge pages unadvised too: the unadvised case then proves nothing. */
function adviceDecides(): boolean {
  return readFileSync(THP_SETTING, 'utf8').includes('[madvise]');
}

const PROGRAM = `
import { readFileSync } from 'node:fs';
const [storeModule, adviceModule, advise] = process.argv.slice(1);
const { SharedStore } = await import(storeModule);
const { adviseArenaHugePages } = await import(adviceModule);
const hugeKb = () =>
  readFileSync('/proc/self/smaps', 'utf8')
    .split('\\n')
    .filter((line) => line.startsWith('AnonHugePages:'))
    .reduce((sum, line) => sum + Number(line.split(/\\s+/)[1]), 0);
const store = SharedStore.create({ clock: Date.now });
const advised = advise === 'yes' ? adviseArenaHugePages(store) : false;
const before = hugeKb();
const value = Buffer.alloc(1000, 'v');
for (let i = 0; i < 32_768; i++) store.set(Buffer.from('key:' + i), value);
console.log(JSON.stringify({ advised, grownKb: hugeKb() - before }));
`;

function run(advise: 'yes' | 'no'): { advised: boolean; grownKb: number } {
  const store = fileURLToPath(new URL('core/store/store.js', DIST));
  const advice = fileURLToPath(new URL('arena-huge-pages.js', DIST));
  if (!existsSync(advice)) throw new Error(`${advice} is missing: run \`npm run build\` first`);
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROGRAM, store, advice, advise], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { advised: boolean; grownKb: number };
}

/** The native helper, built with the advice call (a build from before it lacks it). */
function adviceBuilt(): boolean {
  const native = loadNative();
  return !(native instanceof Error) && asHugePages(native) !== null;
}

describe.skipIf(!hugePagesOffered() || !adviceBuilt())('the arena on huge pages', () => {
  it('an advised arena grows into huge pages', () => {
    const { advised, grownKb } = run('yes');
    expect(advised).toBe(true);
    // 32 MB of entries: all but the partial 2 MiB pages at either end of each growth step.
    expect(grownKb).toBeGreaterThanOrEqual(16 * 1024);
  });

  it.skipIf(!adviceDecides())('an arena not advised stays on small pages', () => {
    expect(run('no')).toEqual({ advised: false, grownKb: 0 });
  });
});
