// Shared command-line helpers for the bench scripts (yargs): list parsing and bounds, so every bench
// validates the same way and refuses unbounded runs.

export function numberList(value: unknown): number[] {
  const parts = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const numbers = parts
    .flatMap((p) => p.split(','))
    .filter((p) => p.trim() !== '')
    .map((p) => Number(p));
  if (numbers.some((n) => !Number.isFinite(n) || n < 0))
    throw new Error(`not a list of numbers: ${String(value)}`);
  return numbers;
}

export function stringList(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return parts
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export function bounded(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be between ${min} and ${max} (got ${value})`);
  }
  return value;
}

/** An argument as a shell needs it written (quoted unless it holds only safe characters), for result files. */
export function shellWord(arg: string): string {
  return /^[\w./=,:-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
