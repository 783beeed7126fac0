// Reads a Chromium trace (browser.startTracing) and says what the renderer's main thread did in
// each task over 50 ms: the events inside it with the most self time, and JS function names.
import { readFileSync } from 'node:fs';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number } };
}

export function summarizeLongTasks(tracePath: string, overMs = 50): string[] {
  const raw = JSON.parse(readFileSync(tracePath, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const mains = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const lines: string[] = [];
  for (const key of mains) {
    const own = events
      .filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === key && e.dur !== undefined)
      .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const tasks = own.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
    for (const task of tasks) {
      if (task.dur! < overMs * 1000) continue;
      const end = task.ts + task.dur!;
      const inside = own.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur! <= end);
      // Self time: duration minus that of directly nested events (a stack walk in start order).
      const self = new Map<string, number>();
      const stack: { e: TraceEvent; child: number }[] = [];
      const label = (e: TraceEvent) => {
        const d = e.args?.data;
        return d?.functionName !== undefined
          ? `${e.name} ${d.functionName || '(anonymous)'}@${(d.url ?? '').split('/').pop()}:${d.lineNumber ?? ''}`
          : e.name;
      };
      const pop = () => {
        const top = stack.pop()!;
        const k = label(top.e);
        self.set(k, (self.get(k) ?? 0) + top.e.dur! - top.child);
        if (stack.length) stack[stack.length - 1].child += top.e.dur!;
      };
      for (const e of inside) {
        while (stack.length && stack[stack.length - 1].e.ts + stack[stack.length - 1].e.dur! <= e.ts) pop();
        stack.push({ e, child: 0 });
      }
      while (stack.length) pop();
      const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
      lines.push(`task ${(task.dur! / 1000).toFixed(0)} ms: ` + top.map(([k, us]) => `${k} ${(us / 1000).toFixed(1)}`).join('; '));
    }
  }
  return lines;
}
