// Where benches write: an ignored scratch folder unless --save, so running any bench leaves `git status` clean
// and the committed results in bench/results/ change only when someone means them to. Reads the built module
// (dist/bench/lib/paths.js; `npm test` builds first): it finds the repository from its place under dist/.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const built = path.join(root, 'dist', 'bench', 'lib', 'paths.js');
if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
const paths = (await import(pathToFileURL(built).href)) as typeof import('../../bench/lib/paths.js');

/** Exit 0 from `git check-ignore` means the path is ignored. */
function ignored(file: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', file], { cwd: root });
    return true;
  } catch {
    return false;
  }
}

describe('bench results directory', () => {
  it('is the scratch folder by default, bench/results/ with --save', () => {
    expect(paths.savedResultsDir).toBe(path.join(root, 'bench', 'results'));
    expect(paths.resultsDirFor(['node', 'dist/bench/compare.js', '--quick'])).toBe(paths.scratchResultsDir);
    expect(paths.resultsDirFor(['node', 'dist/bench/compare.js', '--quick', '--save'])).toBe(
      paths.savedResultsDir,
    );
  });

  it('writes by default where git does not look, and saves where the committed results are', () => {
    expect(ignored(path.join(paths.scratchResultsDir, 'compare.md'))).toBe(true);
    expect(ignored(path.join(paths.savedResultsDir, 'compare.md'))).toBe(false);
  });

  it('is decided in lib/paths.ts alone: no other bench source names bench/results', () => {
    const dirs = [path.join(root, 'bench'), path.join(root, 'bench', 'lib')];
    const sources = dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((file) => file.endsWith('.ts'))
        .map((file) => path.join(dir, file)),
    );
    const offenders = sources
      .filter((file) => !file.endsWith(path.join('lib', 'paths.ts')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line)) // comments may name it
          .filter((line) => /['"`]results['"`/]|bench\/results/.test(line))
          .map((line) => `${path.relative(root, file)}: ${line.trim()}`),
      );
    expect(sources.length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
