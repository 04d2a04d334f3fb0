// What the server keeps for operators to diagnose it with, shared by every thread that runs commands: the slow
// log (slowlog/shared-slowlog.ts) and the latency monitor (latency/latency-monitor.ts). The main thread creates
// them and hands their handles to each pool worker and hybrid loop, which attach to them; the transports undo a
// lock hold of a thread that died. Knows the parts' handles; nothing of commands or transports.

import { SharedLatencyMonitor, type LatencyHandles } from './latency/latency-monitor.js';
import { SharedSlowLog, type SlowlogHandles } from './slowlog/shared-slowlog.js';

/** Structured-clonable: post it to a worker thread. */
export interface DiagnosticsHandles {
  readonly slowlog: SlowlogHandles;
  readonly latency: LatencyHandles;
}

export class ServerDiagnostics {
  private constructor(
    readonly slowlog: SharedSlowLog,
    readonly latency: SharedLatencyMonitor,
  ) {}

  static create(): ServerDiagnostics {
    return new ServerDiagnostics(SharedSlowLog.create(), SharedLatencyMonitor.create());
  }

  static attach(handles: DiagnosticsHandles): ServerDiagnostics {
    return new ServerDiagnostics(
      SharedSlowLog.attach(handles.slowlog),
      SharedLatencyMonitor.attach(handles.latency),
    );
  }

  handles(): DiagnosticsHandles {
    return { slowlog: this.slowlog.handles(), latency: this.latency.handles() };
  }

  /** A thread that died may have held a lock here (main thread only). */
  releaseDeadHolder(deadThreadId: number): void {
    this.slowlog.releaseDeadHolder(deadThreadId);
    this.latency.releaseDeadHolder(deadThreadId);
  }
}
