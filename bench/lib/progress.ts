// A one-line progress display on stderr (rewritten in place on a terminal, throttled lines otherwise), so
// result files and stdout stay clean.

export class Progress {
  private last = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly intervalMs = 250) {}

  update(text: string, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < (this.tty ? this.intervalMs : this.intervalMs * 8)) return;
    this.last = now;
    if (this.tty) process.stderr.write(`\r\x1b[K${text}`);
    else process.stderr.write(`${text}\n`);
  }

  done(text: string): void {
    if (this.tty) process.stderr.write(`\r\x1b[K${text}\n`);
    else process.stderr.write(`${text}\n`);
    this.last = 0;
  }
}

export function log(text: string): void {
  process.stderr.write(`${text}\n`);
}
