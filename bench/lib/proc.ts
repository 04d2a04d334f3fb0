// Reads another process's figures from Linux /proc: resident memory, open descriptors, CPU time. The benches
// use these to watch the server from outside, which works even when every pool worker is pinned and the
// server cannot answer INFO. Returns undefined where /proc is unavailable instead of throwing.

import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS in KiB. */
export function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Number of open file descriptors (each accepted client holds one, queued or served). */
export function fdCount(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time consumed so far by every thread of the process, in milliseconds (10 ms steps). */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** cpuMs split into its parts: user time (the server's own code) and system time (the kernel on its behalf). */
export function cpuTimesMs(pid: number): { userMs: number; systemMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      userMs: (Number(fields[11]) * 1000) / CLOCK_TICKS_PER_SECOND,
      systemMs: (Number(fields[12]) * 1000) / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) of this process's children that have exited and been reaped: the kernel adds
 * a child's whole CPU time here when its parent collects it, so the difference across one child's run is that
 * child's CPU exactly (provided no other child exits meanwhile).
 */
export function reapedChildrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** User + system CPU time of each thread (task) of a process, in ms, by thread id. */
export function threadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * The busiest threads between two threadCpuMs samples, as % of one core over wallMs, highest first: shows
 * whether one thread (a saturated event loop) or the whole process is the limit.
 */
export function busiestThreads(
  before: Map<number, number>,
  after: Map<number, number>,
  wallMs: number,
  count = 3,
): number[] {
  return [...after]
    .map(([tid, ms]) => ms - (before.get(tid) ?? 0))
    .sort((a, b) => b - a)
    .slice(0, count)
    .map((ms) => Math.round((ms / Math.max(1, wallMs)) * 100));
}

/** The soft and hard limits on open files of this process (Linux), from /proc/self/limits. */
export function openFileLimits(pid: number | 'self' = 'self'): { soft: number; hard: number } | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync(`/proc/${pid}/limits`, 'utf8'),
    );
    if (!match) return undefined;
    const parse = (v: string | undefined): number => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: parse(match[1]), hard: parse(match[2]) };
  } catch {
    return undefined;
  }
}

/** The local port range, whose size bounds connections per (source address, destination) pair. */
export function ephemeralPortRange(): { low: number; high: number; size: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low !== undefined && high !== undefined) return { low, high, size: high - low + 1 };
  } catch {
    // fall through to Linux's default range
  }
  return { low: 32768, high: 60999, size: 28232 };
}

/**
 * Context switches of every thread of a process, summed from /proc/PID/task/TID/status: voluntary (the thread
 * blocked: read(2) with nothing to read, a lock, epoll_wait) and involuntary (the scheduler took the core).
 * /proc/PID/status alone counts only the main thread. Threads that exited are no longer counted.
 */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number } | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let voluntary = 0;
  let involuntary = 0;
  for (const tid of tids) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { voluntary, involuntary };
}
