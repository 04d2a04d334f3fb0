// Keeps this process's young generation (V8's two semi-spaces, where every short-lived object is born) at the size
// V8 starts it at. By default V8 doubles a semi-space, up to 16 MiB, each time more bytes survived its scavenges since
// it last grew than it holds, and gives the memory back only after the load stops: under a long write load the young
// generation ends at 2 x 8 or 2 x 16 MiB, and the freed buffers waiting for those rarer scavenges add as much again,
// in RSS next to the store's arena, from one run to the next. Only start-up flags (--max-semi-space-size) bound it,
// and a server cannot restart itself under new flags without changing its PID; the growth factor, though, is read
// each time V8 grows a semi-space, so setting it to 1 at run time holds the young generation where it is.
// bench/eviction.ts measures what this holds (RSS at maxmemory) and costs (server CPU per SET). Process-wide: the
// command line calls it before it loads anything else; an embedding program keeps V8's own policy.
// A worker thread's isolate is not held by the growth factor (measured: under the same load a worker's new space
// grew from 4 to 16 MiB with the flag set), only by its own resourceLimits: workerYoungGenerationLimits.

import v8 from 'node:v8';

/** The flags by which an operator sizes the young generation: given, they decide, and V8's policy is left alone. */
const SIZING_FLAG = /--(?:max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/**
 * Stops the young generation from growing past its present size, unless the process was started with a flag that
 * sizes it (in `execArgv` or `nodeOptions`). Returns whether it did.
 */
export function holdYoungGeneration(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  if (sizedByFlags(execArgv, nodeOptions)) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}

function sizedByFlags(execArgv: readonly string[], nodeOptions: string): boolean {
  return SIZING_FLAG.test(nodeOptions) || execArgv.some((arg) => SIZING_FLAG.test(arg));
}

/**
 * V8's young generation is three semi-spaces' worth (two semi-spaces and the new large-object space): 3 MiB is
 * semi-spaces of 1 MiB, the size the main thread's starts at and is held at.
 */
export const WORKER_YOUNG_GENERATION_MB = 3;

/**
 * The resourceLimits that hold a worker thread's young generation at WORKER_YOUNG_GENERATION_MB, or none when the
 * process was started with a flag that sizes it (the flags then size every isolate, workers' too).
 */
export function workerYoungGenerationLimits(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): { maxYoungGenerationSizeMb: number } | undefined {
  return sizedByFlags(execArgv, nodeOptions)
    ? undefined
    : { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
}
