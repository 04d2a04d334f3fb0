// Where things are: the repository root, the built redis-lite CLI, the default results directory. Derived
// from this file's location (dist/bench/lib/ after `npm run build`), so benches run from any cwd.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** <root>/dist/bench/lib → <root>. */
export const repoRoot = path.resolve(here, '..', '..', '..');
/**
 * BENCH_CLI points the benches at another build of the CLI. Not REDIS_LITE_*: the server reads every variable
 * with that prefix as one of its options, and the launched server inherits this environment.
 */
export const cliPath = process.env.BENCH_CLI ?? path.join(repoRoot, 'dist', 'src', 'cli.js');
export const resultsDir = path.join(repoRoot, 'bench', 'results');
export const benchLibDir = here;

export function requireBuiltCli(): string {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} not found: run \`npm run build\` first`);
  }
  return cliPath;
}
