// Where things are: the repository root, the built redis-lite CLI, and where a bench writes its results. Derived
// from this file's location (dist/bench/lib/ after `npm run build`), so benches run from any cwd. The one place
// that decides the results directory: every bench writes to the ignored bench/results/tmp/ unless `--save`.

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
/** The committed results: curated runs, each with the command that made it. Written only when asked. */
export const savedResultsDir = path.join(repoRoot, 'bench', 'results');
/** Where a run writes by default: ignored by git (.gitignore), so running any bench leaves `git status` clean. */
export const scratchResultsDir = path.join(savedResultsDir, 'tmp');
/** The flag that sends a run's results to bench/results/ (to be committed) instead of the scratch folder. */
export const SAVE_FLAG = '--save';
/** The results directory for a command line: bench/results/ with --save, else the scratch folder. */
export function resultsDirFor(argv: readonly string[]): string {
  return argv.includes(SAVE_FLAG) ? savedResultsDir : scratchResultsDir;
}
/** This run's results directory; benches with `--out` take it as that option's default. */
export const resultsDir = resultsDirFor(process.argv);
/** The `--save` option for benches that parse their options with yargs (which refuses an option it does not know). */
export const saveOption = {
  type: 'boolean',
  default: false,
  describe: 'write the results to bench/results/ (committed) instead of bench/results/tmp/ (ignored)',
} as const;
export const benchLibDir = here;

export function requireBuiltCli(): string {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} not found: run \`npm run build\` first`);
  }
  return cliPath;
}
