// Console benchmark: 1,000 lines/s of host output for 30 s into the real UI (the built bundle,
// served by our serve-mode server, over the real WebSocket and API backend) in headless
// Chromium, with the console panel open and following. Measures main-thread long tasks
// (PerformanceObserver 'longtask') over the whole run; goal: none above 50 ms.
// The lines are real host replies: the bench runs M118 scripts on the printer's host (50 lines
// every 50 ms), so they travel host worker -> backend batching -> WebSocket -> store -> virtual list.
// Run: npx tsx test/bench/console.bench.ts [seconds] [linesPerSecond]   (quick look: ... 8)
// CONSOLE_BENCH_PROFILE=1 adds the JS self-time profile and the main thread's busy share;
// CONSOLE_BENCH_TRACE=1 adds Chromium's trace split by event (Layout, Paint, Commit...).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServeSession } from '../../src-main/server/serve-command';
import { repoRoot } from '../support/paths';
import { pathToFileURL } from 'node:url';

const seconds = Number(process.argv[2] ?? 30);
const linesPerSecond = Number(process.argv[3] ?? 1000);
const SCRIPT_EVERY_MS = 50;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-console-bench-'));
// Our own production build: out/renderer may be a test-mode build (React's dev runtime) or be
// rebuilt under us by a concurrent test run.
const uiDir = mkdtempSync(path.join(os.tmpdir(), 'tether-console-bench-ui-'));
execFileSync('npx', ['vite', 'build', '--config', 'vite.renderer.config.ts', '--outDir', uiDir, '--emptyOutDir', '--logLevel', 'error'], {
  cwd: repoRoot,
  env: { ...process.env, NODE_ENV: 'production' },
  stdio: 'inherit',
});
const ui = { dir: uiDir, remove: () => rmSync(uiDir, { recursive: true, force: true }) };
const session = await startServeSession({
  port: 0,
  dataDir,
  uiDir: ui.dir,
  entryUrl: pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href,
  log: () => undefined,
});
const printerId = session.fleet.list()[0].id;
const host = session.fleet.get(printerId).thread;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${session.server.url}#/console`);
  await page.getByTestId('console-input').waitFor();
  await page.waitForTimeout(1500); // let startup settle; its tasks are not the console's
  // Baseline: the same page idle for a while. On a loaded machine the scheduler alone makes
  // long tasks; the flood's figure is only meaningful next to this one.
  const takeLongTasks = () =>
    page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      const taken = w.longTasks;
      w.longTasks = [];
      return taken;
    });
  await takeLongTasks();
  const loadAtStart = os.loadavg()[0];
  const baselineS = Math.min(10, seconds);
  await page.waitForTimeout(baselineS * 1000);
  const idle = await takeLongTasks();

  const profile = process.env.CONSOLE_BENCH_PROFILE === '1';
  // CONSOLE_BENCH_TRACE=1: Chromium's own trace, to split the main thread's native time
  // (style, layout, paint, message handling) that the JS profile only shows as "(program)".
  const trace = process.env.CONSOLE_BENCH_TRACE === '1';
  if (trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
  const cdp = profile ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  let sent = 0;
  const started = Date.now();
  const total = seconds * linesPerSecond;
  const pending: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * linesPerSecond));
      const lines: string[] = [];
      for (; sent < due; sent++) lines.push(`M118 B:60.0 /60.0 T0:210.3 /210.0 line ${sent}`);
      if (lines.length) pending.push(host.call('gcode.run', { script: lines.join('\n') }));
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, SCRIPT_EVERY_MS);
  });
  await Promise.all(pending);
  const lastText = `line ${total - 1}`;
  await page.waitForFunction((t) => document.querySelector('[data-testid=console-output]')?.textContent?.includes(t), lastText, {
    timeout: 30_000,
  });
  const elapsedS = (Date.now() - started) / 1000;
  if (cdp) {
    // Self time per function, to find what a long task spends its time on.
    const { profile: p } = await cdp.send('Profiler.stop');
    const self = new Map<string, number>();
    const dt = new Map<number, number>();
    p.samples?.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas?.[i] ?? 0)));
    for (const n of p.nodes) {
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
      self.set(key, (self.get(key) ?? 0) + (dt.get(n.id) ?? 0));
    }
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
    // Busy = every sample that is not idle: the renderer's own work, less sensitive to machine
    // load than long-task counts (a loaded machine stretches tasks it does not add).
    let idleUs = 0;
    let allUs = 0;
    for (const [k, us] of self) {
      allUs += us;
      if (k.startsWith('(idle)')) idleUs += us;
    }
    console.log(`renderer main thread busy: ${((allUs - idleUs) / 1000).toFixed(0)} ms of ${(allUs / 1000).toFixed(0)} ms profiled (${((100 * (allUs - idleUs)) / allUs).toFixed(0)} %)`);
  }
  if (trace) {
    const buffer = await browser.stopTracing();
    const tracePath = path.join(os.tmpdir(), 'console-bench-trace.json');
    writeFileSync(tracePath, buffer);
    console.log(`trace written to ${tracePath} (open in chrome://tracing or DevTools)`);
    printTraceSummary(buffer);
  }
  const longTasks = await takeLongTasks();
  const rowsInDom = await page.locator('.console-row').count();
  const count = await page.getByTestId('console-count').textContent();
  const worst = longTasks.length ? Math.max(...longTasks) : 0;
  console.log(`console bench: ${total} lines at ${linesPerSecond}/s over ${elapsedS.toFixed(1)} s; UI shows "${count}", ${rowsInDom} rows in the DOM`);
  const idleWorst = idle.length ? Math.max(...idle) : 0;
  console.log(`long tasks > 50 ms during the flood: ${longTasks.length} in ${elapsedS.toFixed(0)} s; longest: ${worst.toFixed(0)} ms (goal: none)`);
  console.log(`baseline, page idle: ${idle.length} in ${baselineS} s; longest: ${idleWorst.toFixed(0)} ms`);
  // Other processes stretch every task on a shared machine: read the figures next to the load.
  console.log(`machine load average (1 min) on ${os.cpus().length} cores: ${loadAtStart.toFixed(1)} before the baseline, ${os.loadavg()[0].toFixed(1)} after the flood`);
  process.exitCode = longTasks.length === 0 ? 0 : 1;
} finally {
  await browser.close();
  await session.stop();
  ui.remove();
  rmSync(dataDir, { recursive: true, force: true });
}

/** Total time per trace event name on the renderer's main thread (nested events overlap). */
function printTraceSummary(buffer: Buffer): void {
  type Ev = { name: string; ph: string; dur?: number; tdur?: number; pid: number; tid: number; args?: { name?: string } };
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents: Ev[] } | Ev[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byName = new Map<string, { us: number; n: number; maxUs: number }>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined || !main.has(`${e.pid}:${e.tid}`)) continue;
    const t = byName.get(e.name) ?? { us: 0, n: 0, maxUs: 0 };
    t.us += e.dur;
    t.n++;
    t.maxUs = Math.max(t.maxUs, e.dur);
    byName.set(e.name, t);
  }
  // A task's wall time includes waiting for a core on a loaded machine; tdur is the main
  // thread's own CPU time, so it tells the UI's work from the machine's load.
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}:${e.tid}`));
  const overWall = tasks.filter((e) => (e.dur ?? 0) > 50_000).length;
  const overCpu = tasks.filter((e) => (e.tdur ?? 0) > 50_000).length;
  const maxCpuMs = Math.max(0, ...tasks.map((e) => (e.tdur ?? 0) / 1000));
  console.log(`trace: ${tasks.length} main-thread tasks; > 50 ms: ${overWall} by wall time, ${overCpu} by own CPU time (longest CPU ${maxCpuMs.toFixed(0)} ms)`);
  console.log('trace, renderer main thread (total / count / longest):');
  for (const [name, t] of [...byName].sort((a, b) => b[1].us - a[1].us).slice(0, 18))
    console.log(`${(t.us / 1000).toFixed(0).padStart(7)} ms ${String(t.n).padStart(6)}x ${(t.maxUs / 1000).toFixed(0).padStart(5)} ms  ${name}`);
}
