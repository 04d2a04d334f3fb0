// LATENCY DOCTOR's report and LATENCY GRAPH's drawing, as latency.c createLatencyReport and
// latencyCommandGenSparkeline (with sparkline.c) write them, character for character. Pure: the events and the
// server's facts in, text out.

import type { EventSeries } from './latency-monitor.js';

/** What the report says besides the events: server settings and measures. */
export interface ReportFacts {
  /** latency-monitor-threshold, ms. */
  readonly threshold: number;
  /** slowlog-log-slower-than, µs. */
  readonly slowlogThreshold: number;
  /** GB per second of the last snapshot copy (Redis's fork rate). */
  readonly forkRate: number;
  readonly appendfsync: string;
  readonly hz: number;
  /** The process's anonymous huge pages, bytes (smaps AnonHugePages). */
  readonly anonHugePages: number;
  /** Unix time now, seconds. */
  readonly now: number;
}

/** analyzeLatencyForEvent's figures (integer arithmetic as the C's). */
interface EventStats {
  readonly samples: number;
  readonly avg: number;
  readonly mad: number;
  readonly period: number;
}

function analyze(event: EventSeries, now: number): EventStats {
  const samples = event.samples.length;
  if (samples === 0) return { samples, avg: 0, mad: 0, period: 0 };
  let sum = 0;
  let oldest = 0;
  for (const s of event.samples) {
    sum += s.latency;
    if (oldest === 0 || s.time < oldest) oldest = s.time;
  }
  const avg = Math.floor(sum / samples);
  const period = now - oldest === 0 ? 1 : now - oldest;
  let deviation = 0;
  for (const s of event.samples) deviation += Math.abs(avg - s.latency);
  return { samples, avg, mad: Math.floor(deviation / samples), period };
}

const ADVICE = {
  betterVm:
    '- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior that provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the context of the same VM provider, certain kinds of instances can execute fork faster than others.\n',
  slowlogInspect:
    '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n',
  scheduler:
    '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
    '  1) Lower the system load.\n' +
    '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
    '  3) Check if you have a "noisy neighbour" problem.\n' +
    "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
    '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n',
  localDisk:
    '- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n',
  ssd: '- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n',
  dataWriteback:
    '- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n',
  diskContention:
    '- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n',
  noAppendfsync:
    "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n",
  relaxFsync:
    "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n",
  writeLoadInfo:
    '- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n',
  hz: "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
  largeObjects:
    '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n',
  massEviction:
    "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n",
  disableThp:
    "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n",
} as const;

type Advice = keyof typeof ADVICE | 'slowlogEnabled' | 'slowlogTuning';

/** The advice each event calls for, and how many it counts ("advices"), as createLatencyReport's branches. */
function adviceFor(
  event: string,
  facts: ReportFacts,
  give: (advice: Advice) => void,
  count: (n: number) => void,
): void {
  const give4 = (...list: Advice[]): void => {
    list.forEach(give);
    count(list.length);
  };
  switch (event) {
    case 'command':
      if (facts.slowlogThreshold < 0) give4('slowlogEnabled');
      else if (Math.trunc(facts.slowlogThreshold / 1000) > facts.threshold) give4('slowlogTuning');
      give4('slowlogInspect', 'largeObjects');
      return;
    case 'fast-command':
      give4('scheduler');
      return;
    case 'aof-write-pending-fsync':
      give4('localDisk', 'diskContention', 'ssd', 'dataWriteback');
      return;
    case 'aof-write-active-child':
      give4('noAppendfsync', 'dataWriteback', 'ssd');
      return;
    case 'aof-write-alone':
      give4('localDisk', 'dataWriteback', 'ssd');
      return;
    case 'aof-fsync-always':
      give4('relaxFsync');
      return;
    case 'aof-fstat':
    case 'rdb-unlink-temp-file':
      give4('diskContention', 'localDisk');
      return;
    case 'aof-rewrite-diff-write':
    case 'aof-rename':
      give4('writeLoadInfo', 'dataWriteback', 'ssd', 'localDisk');
      return;
    case 'expire-cycle':
      give4('hz', 'largeObjects');
      return;
    case 'eviction-del':
      give4('largeObjects');
      return;
    case 'eviction-cycle':
      give4('massEviction');
      return;
  }
}

/** C's "%.2f". */
const fixed2 = (value: number): string => value.toFixed(2);

/** createLatencyReport. */
export function latencyReport(events: readonly EventSeries[], facts: ReportFacts): string {
  if (events.length === 0 && facts.threshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  const given = new Set<Advice>();
  let advices = 0;
  const give = (advice: Advice): void => void given.add(advice);
  const count = (n: number): void => void (advices += n);
  let report = '';
  events.forEach((event, i) => {
    if (i === 0) {
      report +=
        "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    }
    const stats = analyze(event, facts.now);
    report +=
      `${i + 1}. ${event.name}: ${stats.samples} latency spikes (average ${stats.avg}ms, mean deviation ` +
      `${stats.mad}ms, period ${fixed2(stats.period / stats.samples)} sec). Worst all time event ${event.max}ms.`;
    if (event.name === 'fork') {
      const rate = facts.forkRate;
      const quality = rate < 10 ? 'terrible' : rate < 25 ? 'poor' : rate < 100 ? 'good' : 'excellent';
      if (rate < 25) {
        give('betterVm');
        count(1);
      }
      report += ` Fork rate is ${fixed2(rate)} GB/sec (${quality}).`;
    }
    adviceFor(event.name, facts, give, count);
    report += '\n';
  });
  if (facts.anonHugePages > 0) {
    give('disableThp');
    count(1);
  }
  if (events.length === 0 && advices === 0) {
    return (
      report +
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n'
    );
  }
  if (events.length > 0 && advices === 0) {
    return (
      report +
      "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n"
    );
  }
  report += '\nI have a few advices for you:\n\n';
  const thresholdMicros = facts.threshold * 1000;
  if (given.has('betterVm')) report += ADVICE.betterVm;
  if (given.has('slowlogEnabled')) {
    report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${thresholdMicros}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  }
  if (given.has('slowlogTuning')) {
    report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${thresholdMicros}'.\n`;
  }
  if (given.has('slowlogInspect')) report += ADVICE.slowlogInspect;
  if (given.has('scheduler')) report += ADVICE.scheduler;
  if (given.has('localDisk')) report += ADVICE.localDisk;
  if (given.has('ssd')) report += ADVICE.ssd;
  if (given.has('dataWriteback')) report += ADVICE.dataWriteback;
  if (given.has('diskContention')) report += ADVICE.diskContention;
  if (given.has('noAppendfsync')) report += ADVICE.noAppendfsync;
  if (given.has('relaxFsync') && facts.appendfsync === 'always') report += ADVICE.relaxFsync;
  if (given.has('writeLoadInfo')) report += ADVICE.writeLoadInfo;
  if (given.has('hz') && facts.hz < 100) report += ADVICE.hz;
  if (given.has('largeObjects')) report += ADVICE.largeObjects;
  if (given.has('massEviction')) report += ADVICE.massEviction;
  if (given.has('disableThp')) report += ADVICE.disableThp;
  return report;
}

// ---- LATENCY GRAPH (sparkline.c, SPARKLINE_FILL, 4 rows, 80 columns) ----

const GRAPH_COLUMNS = 80;
const GRAPH_ROWS = 4;
const FILL = '_o#';
const LABEL_MARGIN_TOP = 1;

interface Point {
  readonly value: number;
  readonly label: string;
}

/** How long ago, as the graph labels it: seconds, minutes, hours or days. */
function ago(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 3600 * 24) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / (3600 * 24))}d`;
}

/** latencyCommandGenSparkeline: the title line, a rule, then the sparkline in rows of 80 samples. */
export function latencyGraph(event: EventSeries, now: number): string {
  const points: Point[] = event.samples.map((s) => ({ value: s.latency, label: ago(now - s.time) }));
  let min = 0;
  let max = 0;
  points.forEach((p, i) => {
    if (i === 0) min = max = p.value;
    else {
      if (p.value > max) max = p.value;
      if (p.value < min) min = p.value;
    }
  });
  let out = `${event.name} - high ${max} ms, low ${min} ms (all time high ${event.max} ms)\n`;
  out += `${'-'.repeat(GRAPH_COLUMNS)}\n`;
  return out + sparkline(points);
}

/** sparklineRender: the sequence's min and max as sparklineSequenceAddSample keeps them, then each 80-column slice. */
function sparkline(points: readonly Point[]): string {
  let min = 0;
  let max = 0;
  points.forEach((p, i) => {
    if (i === 0) min = max = p.value;
    else if (p.value < min) min = p.value;
    else if (p.value > max) max = p.value;
  });
  let out = '';
  for (let j = 0; j < points.length; j += GRAPH_COLUMNS) {
    if (j !== 0) out += '\n';
    out += renderRange(points.slice(j, j + GRAPH_COLUMNS), min, max, points.length > 0);
  }
  return out;
}

/** sparklineRenderRange with SPARKLINE_FILL. */
function renderRange(points: readonly Point[], min: number, max: number, labelled: boolean): string {
  const relmax = max - min === 0 ? 1 : max - min;
  const steps = FILL.length * GRAPH_ROWS;
  let out = '';
  for (let row = 0; ; row++) {
    let more = false;
    const chars = new Array<string>(points.length).fill(' ');
    for (let j = 0; j < points.length; j++) {
      const point = points[j];
      let step = Math.trunc(Math.trunc((point.value - min) * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < GRAPH_ROWS) {
        const charidx = step - (GRAPH_ROWS - row - 1) * FILL.length;
        more = true;
        if (charidx >= 0 && charidx < FILL.length) chars[j] = FILL[charidx];
        else if (charidx >= FILL.length) chars[j] = '|';
      } else {
        // The blank line between the graph and its labels, then one character of each label per line.
        if (labelled && row - GRAPH_ROWS < LABEL_MARGIN_TOP) {
          more = true;
          chars.fill(' ');
          break;
        }
        const labelChar = row - GRAPH_ROWS - LABEL_MARGIN_TOP;
        if (point.label.length > labelChar) {
          more = true;
          chars[j] = point.label[labelChar];
        }
      }
    }
    if (!more) return out;
    out += `${chars.join('')}\n`;
  }
}
