// Result writers: JSON (each bench documents its schema in bench/README.md; every file carries
// `schema`, `generatedAt` and `machine`) and Markdown tables. No knowledge of any particular bench.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  platform: string;
  kernel: string;
  redis?: string;
  /** 1, 5 and 15 minute load averages when the run started: on a shared machine, read results against them. */
  loadAverage: number[];
}

let cached: MachineInfo | undefined;

/** The machine as it was at the first call (benches call it as they start, so loadAverage is the start's). */
export function machineInfo(): MachineInfo {
  cached ??= readMachineInfo();
  return cached;
}

function readMachineInfo(): MachineInfo {
  const cpus = os.cpus();
  let redis: string | undefined;
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5000 });
    redis = /v=(\S+)/.exec(out)?.[1];
  } catch {
    redis = undefined;
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    ...(redis ? { redis } : {}),
  };
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function writeText(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export type Cell = string | number | boolean | null | undefined;

/**
 * Saves a bench's runs as `<name>.json` and `<name>.md` in `dir`: the runs already saved there are kept except
 * those `fresh` replaces (same label and transport), so runs made at different times sit in one report.
 */
export function saveRuns<R extends { label: string; transport: string }>(
  dir: string,
  name: string,
  fresh: readonly R[],
  report: (runs: R[]) => string,
): string {
  const jsonFile = path.join(dir, `${name}.json`);
  const kept: R[] = existsSync(jsonFile)
    ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as { runs: R[] }).runs.filter(
        (r) => !fresh.some((f) => f.label === r.label && f.transport === r.transport),
      )
    : [];
  const runs = [...kept, ...fresh];
  writeJson(jsonFile, {
    schema: `${name}/1`,
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    runs,
  });
  writeText(path.join(dir, `${name}.md`), report(runs));
  return path.join(dir, `${name}.{json,md}`);
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (value: Cell): string =>
    value === null || value === undefined ? '—' : String(value).replace(/\|/g, '\\|');
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export function machineLine(machine: MachineInfo): string {
  return (
    `${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemoryMb} MB RAM, ${machine.platform} ${machine.kernel}, ` +
    `Node ${machine.node}${machine.redis ? `, Redis ${machine.redis}` : ''}; load average at start ` +
    machine.loadAverage.join(' / ')
  );
}

/** Rounds for display: 3 significant figures, integers as they are. */
export function fmt(value: number | undefined, digits = 3): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toString();
}
