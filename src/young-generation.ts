// Keeps this process's young generation (V8's two semi-spaces, where every short-lived object is born) at the size
// V8 starts it at. By default V8 doubles a semi-space, up to 16 MiB, each time more bytes survived its scavenges since
// it last grew than it holds, and gives the memory back only after the load stops: under a long write load the young
// generation ends at 2 x 8 or 2 x 16 MiB, and the freed buffers waiting for those rarer scavenges add as much again,
// in RSS next to the store's arena, from one run to the next. Only start-up flags (--max-semi-space-size) bound it,
// and a server cannot restart itself under new flags without changing its PID; the growth factor, though, is read
// each time V8 grows a semi-space, so setting it to 1 at run time holds the young generation where it is.
// bench/eviction.ts measures what this holds (RSS at maxmemory) and costs (server CPU per SET). Process-wide: the
// command line calls it before it loads anything else; an embedding program keeps V8's own policy.

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
  if (SIZING_FLAG.test(nodeOptions) || execArgv.some((arg) => SIZING_FLAG.test(arg))) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
