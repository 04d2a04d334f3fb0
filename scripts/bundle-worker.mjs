// Build step after `tsc`: bundles each worker thread entry (the pool's dist/src/transport/threadpool/worker.js,
// the hybrid's dist/src/transport/hybrid/loop-worker.js, and the ~50 modules each imports) into one CommonJS
// file, <name>.bundle.cjs, plus <name>.bundle.json listing the inputs so a stale bundle is told from a fresh
// one (src/transport/threadpool/worker-entry.ts).
// Why: every worker is a fresh isolate that resolves, reads and links each ES module again; one CommonJS file
// skips the ESM loader altogether (bench/results/pool-startup.md). Knows nothing of what the worker does.
// Usage: node scripts/bundle-worker.mjs [package root, default: this script's parent]   (after tsc; needs the
// esbuild dev dependency)

import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
/** The worker entries: the pool's worker and the hybrid's loop thread. */
const entries = [
  { dir: join(root, 'dist', 'src', 'transport', 'threadpool'), name: 'worker' },
  { dir: join(root, 'dist', 'src', 'transport', 'hybrid'), name: 'loop-worker' },
];

for (const { dir, name } of entries) {
  if (!existsSync(join(dir, `${name}.js`))) {
    console.error(`bundle-worker: ${join(dir, `${name}.js`)} is missing: run tsc first`);
    process.exit(1);
  }
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Production installs have no dev dependencies; the threads then start from their modules (correct, slower).
  console.warn('bundle-worker: esbuild is not installed; worker threads will start from their modules');
  process.exit(0);
}

for (const { dir, name } of entries) {
  const outfile = join(dir, `${name}.bundle.cjs`);
  const result = await esbuild.build({
    entryPoints: [join(dir, `${name}.js`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The sources are ES modules, strict by definition; a CommonJS file is strict only when it says so.
    banner: { js: "'use strict';" },
    // Chained through tsc's maps to the TypeScript sources; read only under --enable-source-maps.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  // Every input, relative to the bundle's directory: worker-entry.ts compares their mtimes with the bundle's.
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => relative(dir, resolve(process.cwd(), input)))
    .sort();
  const manifest = join(dir, `${name}.bundle.json`);
  writeFileSync(manifest, JSON.stringify({ bundle: `${name}.bundle.cjs`, inputs }, null, 2) + '\n');
  console.log(`bundle-worker: ${relative(root, outfile)} from ${inputs.length} modules`);
}
