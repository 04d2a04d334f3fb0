// holdYoungGeneration (src/young-generation.ts), in fresh Node processes of its own (it sets a process-wide V8
// flag): held, the young generation stays at its size under a load whose survivors grow it by default; a flag that
// sizes it, on the command line or in NODE_OPTIONS, leaves V8's policy alone. workerYoungGenerationLimits: a worker
// thread is held only by its resourceLimits. Runs the built module (`npm test` builds first).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WORKER_YOUNG_GENERATION_MB, workerYoungGenerationLimits } from '../../src/young-generation.js';

const MODULE = fileURLToPath(new URL('../../dist/src/young-generation.js', import.meta.url));

/**
 * Holds (or not) the young generation, then (after a first scavenge) allocates 3 million objects of which the last 20,000 at any time are
 * kept: enough survivors for V8 to grow its semi-spaces from 1 MiB to 16 MiB. Reports new space's size before and
 * after.
 */
const PROGRAM = `
import v8 from 'node:v8';
const { holdYoungGeneration } = await import(process.argv[1]);
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const held = holdYoungGeneration();
// Garbage only, enough for a scavenge: new space's size counts its second semi-space from the first scavenge on.
let garbage;
for (let i = 0; i < 200_000; i++) garbage = { i };
const before = newSpace();
let kept = [];
for (let i = 0; i < 3_000_000; i++) {
  kept.push({ i });
  if (kept.length === 20_000) kept = [];
}
console.log(JSON.stringify({ held, before, after: newSpace(), kept: kept.length + garbage.i }));
`;

function run(nodeArgs: string[], nodeOptions = ''): { held: boolean; before: number; after: number } {
  if (!existsSync(MODULE)) throw new Error(`${MODULE} is missing: run \`npm run build\` first`);
  const out = execFileSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', PROGRAM, MODULE], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return JSON.parse(out) as { held: boolean; before: number; after: number };
}

describe('holdYoungGeneration', () => {
  it('keeps the young generation at its size under a load that grows it by default', () => {
    const held = run([]);
    expect(held.held).toBe(true);
    expect(held.after).toBe(held.before);
  });

  it('leaves V8 its own policy when a flag on the command line sizes the young generation', () => {
    const sized = run(['--max-semi-space-size=8']);
    expect(sized.held).toBe(false);
    // The same load grows it: what the held run above did not do.
    expect(sized.after).toBeGreaterThan(sized.before);
  });

  it('... or when NODE_OPTIONS does', () => {
    const sized = run([], '--max-semi-space-size=8');
    expect(sized.held).toBe(false);
    expect(sized.after).toBeGreaterThan(sized.before);
  });
});

/**
 * A worker thread started with workerYoungGenerationLimits() (or none, `limited` false) runs the load above and
 * reports its new space's size before and after; the process's own young generation is held as the CLI holds it.
 */
const WORKER_PROGRAM = `
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
const { holdYoungGeneration, workerYoungGenerationLimits } = await import(process.argv[1]);
holdYoungGeneration();
const limits = process.argv[2] === 'limited' ? workerYoungGenerationLimits() : undefined;
const body = \`
const v8 = require('node:v8');
const { parentPort } = require('node:worker_threads');
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
let garbage;
for (let i = 0; i < 200000; i++) garbage = { i };
const before = newSpace();
let kept = [];
for (let i = 0; i < 3000000; i++) {
  kept.push({ i });
  if (kept.length === 20000) kept = [];
}
parentPort.postMessage({ before, after: newSpace(), kept: kept.length + garbage.i });
\`;
// execArgv []: not this process's --input-type=module, which would make the CommonJS body above a module.
const options = { eval: true, execArgv: [] };
const worker = new Worker(body, limits === undefined ? options : { ...options, resourceLimits: limits });
worker.once('message', (m) => console.log(JSON.stringify({ limits: limits ?? null, ...m })));
`;

function runWorker(limited: boolean): { limits: unknown; before: number; after: number } {
  if (!existsSync(MODULE)) throw new Error(`${MODULE} is missing: run \`npm run build\` first`);
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', WORKER_PROGRAM, MODULE, limited ? 'limited' : 'default'],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return JSON.parse(out) as { limits: unknown; before: number; after: number };
}

describe('workerYoungGenerationLimits', () => {
  it("holds a worker's young generation, which the process-wide hold does not", () => {
    const unheld = runWorker(false);
    expect(unheld.after).toBeGreaterThan(unheld.before); // the growth factor set by holdYoungGeneration did not hold it
    const held = runWorker(true);
    expect(held.limits).toEqual({ maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB });
    expect(held.after).toBe(held.before);
    // Semi-spaces of 1 MiB, as the main thread's: new space counts both.
    expect(held.after).toBe(2 * 1024 * 1024);
  });

  it('gives no limits when a flag sizes the young generation (it then sizes every isolate)', () => {
    expect(workerYoungGenerationLimits(['--max-semi-space-size=8'], '')).toBeUndefined();
    expect(workerYoungGenerationLimits([], '--max-semi-space-size=8')).toBeUndefined();
    expect(workerYoungGenerationLimits([], '')).toEqual({
      maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
    });
  });
});
