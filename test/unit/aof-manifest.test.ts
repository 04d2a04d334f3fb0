// The multi-part append-only file's manifest and directory: Redis 7.0's line format both ways, the checks its
// loader makes, the steps of a rewrite over it, the adoption of a single old file (aofUpgradePrepare, a crash
// midway included), and the temporary files a killed process leaves removed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AofFiles } from '../../src/core/aof/aof-files.js';
import { planAofLoad } from '../../src/core/aof/aof-loader.js';
import {
  EMPTY_MANIFEST,
  formatManifest,
  parseManifest,
  withNewBase,
  withNewIncr,
  withRewrittenIncrAsHistory,
} from '../../src/core/aof/aof-manifest.js';

const parse = (text: string) => parseManifest(Buffer.from(text, 'latin1'));

describe('the manifest', () => {
  it("reads and writes Redis 7.0's lines: base first, then history, then the incremental files", () => {
    const text =
      'file appendonly.aof.2.base.rdb seq 2 type b\n' +
      'file appendonly.aof.1.incr.aof seq 1 type h\n' +
      'file appendonly.aof.2.incr.aof seq 2 type i\n' +
      'file appendonly.aof.3.incr.aof seq 3 type i\n';
    const manifest = parse(text);
    expect(manifest.base).toEqual({ name: 'appendonly.aof.2.base.rdb', seq: 2, type: 'b' });
    expect(manifest.history.map((f) => f.name)).toEqual(['appendonly.aof.1.incr.aof']);
    expect(manifest.incr.map((f) => f.seq)).toEqual([2, 3]);
    expect([manifest.baseSeq, manifest.incrSeq]).toEqual([2, 3]);
    expect(formatManifest(manifest)).toBe(text);
    // Comments skipped, keys in any order and case, unknown keys kept for later versions, quoted names.
    const other = parse('# a comment\nTYPE i SEQ 7 FILE "odd name.aof" extra 1\n');
    expect(other.incr).toEqual([{ name: 'odd name.aof', seq: 7, type: 'i' }]);
    expect(formatManifest(other)).toBe('file "odd name.aof" seq 7 type i\n');
  });

  it('refuses what aofLoadManifestFromFile refuses, with its messages', () => {
    const refusal = (text: string): string => {
      try {
        parse(text);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refusal('')).toBe('Found an empty AOF manifest');
    expect(refusal('file a seq 1\n')).toBe('Invalid AOF manifest file format');
    expect(refusal('\n')).toBe('Invalid AOF manifest file format');
    expect(refusal('file a seq 1 type b\nfile b seq 2 type b\n')).toBe(
      'Found duplicate base file information',
    );
    expect(refusal('file a seq 2 type i\nfile b seq 2 type i\n')).toBe(
      'Found a non-monotonic sequence number',
    );
    expect(refusal('file a seq 1 type x\n')).toBe('Unknown AOF file type');
    expect(refusal('file ../a seq 1 type b\n')).toBe("File can't be a path, just a filename");
    expect(refusal('file a seq 1 type b')).toBe('The AOF manifest file contains too long line'); // no newline
  });

  it("takes a rewrite's steps as Redis: next base, the old one and the covered incremental files history", () => {
    let m = withNewIncr(withNewIncr(EMPTY_MANIFEST, 'a.aof'), 'a.aof'); // a.aof.1.incr.aof, a.aof.2.incr.aof
    m = withNewBase(m, 'a.aof', true);
    expect(m.base?.name).toBe('a.aof.1.base.rdb');
    m = withRewrittenIncrAsHistory(m, true); // the log writes to the last one: kept
    expect(m.incr.map((f) => f.name)).toEqual(['a.aof.2.incr.aof']);
    expect(m.history.map((f) => f.name)).toEqual(['a.aof.1.incr.aof']);
    m = withRewrittenIncrAsHistory(withNewBase(m, 'a.aof', false), false); // appendonly off: none kept
    expect(m.base?.name).toBe('a.aof.2.base.aof');
    expect(m.incr).toEqual([]);
    expect(m.history.map((f) => f.name)).toEqual([
      'a.aof.2.incr.aof',
      'a.aof.1.base.rdb',
      'a.aof.1.incr.aof',
    ]);
    expect(withNewIncr(m, 'a.aof').incr.map((f) => f.name)).toEqual(['a.aof.3.incr.aof']); // numbers go on
  });
});

describe('the directory', () => {
  const fresh = (): { dir: string; files: AofFiles } => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofdir-'));
    return { dir, files: new AofFiles(dir, 'appendonlydir', 'appendonly.aof') };
  };
  const old = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');

  it('adopts a single old file as the base, as Redis 7.0 upgrades from 6', () => {
    const { dir, files } = fresh();
    writeFileSync(path.join(dir, 'appendonly.aof'), old);
    const plan = planAofLoad(files);
    expect(plan.upgraded).toBe(true);
    expect(existsSync(path.join(dir, 'appendonly.aof'))).toBe(false);
    expect(readFileSync(files.pathOf('appendonly.aof'))).toEqual(old);
    expect(readFileSync(files.manifestPath, 'latin1')).toBe('file appendonly.aof seq 1 type b\n');
    expect(plan.files.map((f) => f.name)).toEqual(['appendonly.aof']);
    expect(plan.totalBytes).toBe(old.length);
    expect(planAofLoad(files).upgraded).toBe(false); // done once
  });

  it('finishes an upgrade a crash cut between the manifest and the move', () => {
    const { dir, files } = fresh();
    writeFileSync(path.join(dir, 'appendonly.aof'), old);
    mkdirSync(files.dir);
    writeFileSync(files.manifestPath, 'file appendonly.aof seq 1 type b\n');
    expect(planAofLoad(files).upgraded).toBe(true);
    expect(readFileSync(files.pathOf('appendonly.aof'))).toEqual(old);
  });

  it('leaves a single old file alone once the directory has its own files', () => {
    const { dir, files } = fresh();
    writeFileSync(path.join(dir, 'appendonly.aof'), old);
    mkdirSync(files.dir);
    writeFileSync(files.pathOf('appendonly.aof.1.incr.aof'), old);
    writeFileSync(files.manifestPath, 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const plan = planAofLoad(files);
    expect(plan.upgraded).toBe(false);
    expect(plan.files.map((f) => f.name)).toEqual(['appendonly.aof.1.incr.aof']);
    expect(existsSync(path.join(dir, 'appendonly.aof'))).toBe(true);
  });

  it('refuses a manifest that lists a missing file', () => {
    const { files } = fresh();
    files.persist(withNewIncr(EMPTY_MANIFEST, 'appendonly.aof'));
    expect(() => planAofLoad(files)).toThrow(
      'Unable to obtain the AOF file appendonly.aof.1.incr.aof length',
    );
  });

  it('replaces the manifest whole, and deletes history files with a manifest that no longer names them', () => {
    const { files } = fresh();
    let m = withNewIncr(EMPTY_MANIFEST, 'appendonly.aof');
    files.persist(m);
    writeFileSync(files.pathOf('appendonly.aof.1.incr.aof'), old);
    m = withRewrittenIncrAsHistory(
      withNewIncr(withNewBase(m, 'appendonly.aof', true), 'appendonly.aof'),
      true,
    );
    files.persist(m);
    expect(readdirSync(files.dir).filter((n) => n.startsWith('temp-'))).toEqual([]);
    const cleaned = files.deleteHistory(m);
    expect(cleaned.history).toEqual([]);
    expect(existsSync(files.pathOf('appendonly.aof.1.incr.aof'))).toBe(false);
    expect(files.loadManifest()).toEqual(cleaned);
  });

  it('removes the temporary files a killed rewrite, turn-on or manifest write left, and nothing else', () => {
    const { dir, files } = fresh();
    mkdirSync(files.dir);
    const gone = spawnSync('true').pid; // a process that has exited: what it left is nobody's
    const left = [
      path.join(dir, `temp-rewriteaof-bg-${gone}.aof`),
      path.join(dir, `temp-rewriteaof-${gone}.aof`),
      files.pathOf('temp-appendonly.aof.incr'),
      files.pathOf('temp-appendonly.aof.manifest'),
    ];
    // A running process's rewrite is its own (another server in this dir, or one in this process).
    const running = [path.join(dir, `temp-rewriteaof-bg-${process.pid}.aof`)];
    const kept = [
      ...running,
      path.join(dir, 'dump.rdb'),
      path.join(dir, 'temp-4242-1.rdb'),
      files.pathOf('appendonly.aof.1.incr.aof'),
    ];
    for (const file of [...left, ...kept]) writeFileSync(file, 'x');
    expect(files.removeTempFiles().sort()).toEqual(left.map((f) => path.basename(f)).sort());
    expect(left.filter((f) => existsSync(f))).toEqual([]);
    expect(kept.filter((f) => existsSync(f))).toEqual(kept);
  });
});
