// Toolpath preview benchmark in headless Chromium (SwiftShader WebGL 2): our preview and the
// gcode-preview npm package on the same generated 50 MB and 200 MB files, in the same run.
// Prints: file selected -> first complete frame, JS heap, longest main-thread task while
// loading, layer slider update time. Goals (issue 9): 50 MB <= 2.5 s and <= 80 MB heap;
// 200 MB <= 8 s and <= 250 MB; >= 4x faster than gcode-preview; slider update <= 16 ms;
// no main-thread task > 50 ms while loading.
// "First complete frame" = the whole object visible: every layer drawn, at the overview level of
// detail (overview.ts, a bounded decimated copy) when the file is bigger than the overview
// budget; the frame in full detail follows and is timed too ("full-detail frame").
// Run: npx tsx test/bench/preview.bench.ts [50] [200] [--no-gcode-preview] [--gpu-process] [--auto-budget] [--trace]
// --trace: record a Chromium trace of the load (test-output/preview-trace-*.json) and print what
// the renderer main thread ran inside each task over 50 ms (the biggest events, self time).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { referenceDir, testOutputDir } from '../support/paths';
import { summarizeLongTasks } from './preview/traceTasks';
import { buildHarness, chromiumArgs, serveDir } from './preview/harnessServer';
import type { ParserStats } from '../../src-renderer/features/preview/parserWorker';
import type { PreviewState } from '../../src-renderer/features/preview/previewStore';

// gen_gcode.py writes ~29.1 bytes per move: these counts give ~50 MB and ~200 MB (10^6 bytes).
const sizes = [
  { label: '50 MB', moves: 1_720_000, goalS: 2.5, goalHeapMB: 80, gpTimeoutS: 120 },
  { label: '200 MB', moves: 6_880_000, goalS: 8, goalHeapMB: 250, gpTimeoutS: 240 },
];
const args = process.argv.slice(2);
const only = args.filter((a) => /^\d+$/.test(a));
const runGcodePreview = !args.includes('--no-gcode-preview');
const workDir = path.join(os.tmpdir(), 'tether-preview-bench');
mkdirSync(workDir, { recursive: true });

// --gpu-process: leave out --disable-gpu, so WebGL still runs on SwiftShader but in Chromium's
// GPU process with GPU compositing, as for a user with a graphics card; with --disable-gpu the
// software compositor reads every WebGL frame back on the page's main thread.
const gpuProcess = args.includes('--gpu-process');
const launchArgs = [
  ...chromiumArgs.filter((a) => !(gpuProcess && a === '--disable-gpu')),
  '--enable-precise-memory-info',
  '--js-flags=--expose-gc',
];
const mb = (b: number) => b / 1e6;

type Harness = {
  store: { getState(): PreviewState };
  longTasks: { start: number; duration: number }[];
  waitForFirstFrame(ms: number): Promise<Record<string, number> & { parser: ParserStats }>;
  waitForDetail(ms: number): Promise<Record<string, number>>;
  timeLayerChange(high: number): { updateMs: number; renderMs: number; frameMs: number };
  heapBytes(): number;
};
declare const previewHarness: Harness;
declare const gcodePreviewResult: { selectedAt?: number; doneAt?: number; error?: string };
declare const gc: () => void;

function generate(moves: number): string {
  const file = path.join(workDir, `gen-${moves}.gcode`);
  if (!existsSync(file) || statSync(file).size < moves * 25) {
    console.log(`generating ${file} ...`);
    execFileSync('python3', [path.join(referenceDir, 'bench', 'gen_gcode.py'), String(moves), file], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return file;
}

async function runOurs(browser: Browser, url: string, file: string, fullBudget: boolean) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/index.html`);
  await page.getByTestId('preview-panel').waitFor();
  // Full: draw every layer (the hardware-GPU budget); auto: the budget the app picks here.
  if (fullBudget) await page.evaluate(() => previewHarness.store.getState().setVertexBudget(20_000_000));
  const budget = await page.evaluate(() => previewHarness.store.getState().vertexBudget);
  const tracePath = args.includes('--trace') ? path.join(testOutputDir, `preview-trace-${path.basename(file)}.json`) : null;
  if (tracePath) {
    mkdirSync(testOutputDir, { recursive: true });
    await browser.startTracing(page, {
      path: tracePath,
      categories: [
        'blink.user_timing',
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'v8',
        'blink',
        'gpu',
        'toplevel',
        'v8.execute',
      ],
    });
  }
  await page.getByTestId('preview-file').setInputFiles(file);
  const t = await page.evaluate(() => previewHarness.waitForFirstFrame(180_000));
  const heapAtFrame = await page.evaluate(() => previewHarness.heapBytes());
  const detail = await page.evaluate(() => previewHarness.waitForDetail(300_000));
  const heapAtDetail = await page.evaluate(() => previewHarness.heapBytes());
  if (tracePath) {
    await browser.stopTracing();
    console.log(`trace: ${tracePath}`);
    for (const line of summarizeLongTasks(tracePath)) console.log(`  ${line}`);
  }
  const heapAfterGc = await page.evaluate(() => {
    gc();
    return previewHarness.heapBytes();
  });
  const info = await page.evaluate(() => {
    const tp = previewHarness.store.getState().toolpath!;
    const arrays = [tp.points, tp.extrusionMm, tp.feedMmMin, tp.feature, tp.tool, tp.layer, tp.fileOffset];
    return {
      segments: tp.segmentCount,
      layers: tp.layers.count,
      typedArrayBytes: arrays.reduce((s: number, a: ArrayBufferView) => s + a.byteLength, 0),
    };
  });
  // Tasks until the viewer issued the first full frame; the harness's own readPixels wait after
  // that (it blocks until SwiftShader finished the frame) is not the app's work.
  // The task holding the harness's 1-pixel wait (waitAt .. doneAt) is left out as well.
  const tasksBetween = (from: number, to: number) =>
    page.evaluate(
      ([a, b, sel, waitAt]) =>
        previewHarness.longTasks
          .filter((e) => e.start >= a - 1 && e.start <= b && !(e.start <= waitAt && e.start + e.duration >= waitAt))
          .map((e) => ({ atMs: Math.round(e.start - sel), ms: Math.round(e.duration) })),
      [from, to, t.selectedAt, t.waitAt],
    );
  const tasks = await tasksBetween(t.selectedAt, t.firstFrameAt);
  const refineTasks = await tasksBetween(t.firstFrameAt + 1, detail.detailFrameAt);
  const longest = tasks.reduce((m, e) => Math.max(m, e.ms), 0);
  const longestRefine = refineTasks.reduce((m, e) => Math.max(m, e.ms), 0);
  if (tasks.length)
    console.log(`tether: main-thread tasks over 50 ms until the first frame (start after select, length): ${JSON.stringify(tasks)}`);
  if (refineTasks.length) console.log(`tether: main-thread tasks over 50 ms while refining to full detail: ${JSON.stringify(refineTasks)}`);
  const drawn = await page.evaluate(() => {
    const d = (
      window as unknown as { previewHarness: { drawn(): { first: number; end: number; skippedLayers: number } } }
    ).previewHarness.drawn()!;
    return { segments: d.end - d.first, skippedLayers: d.skippedLayers };
  });
  // Slider: 15 layer changes spread over the file.
  const slider: { updateMs: number; renderMs: number; frameMs: number }[] = [];
  for (let i = 0; i < 15; i++) {
    const high = Math.floor((((i * 7919) % 97) / 97) * info.layers);
    slider.push(await page.evaluate((h) => previewHarness.timeLayerChange(h), high));
  }
  await page.close();
  return { t, detail, heapAtFrame, heapAtDetail, heapAfterGc, info, longest, longestRefine, slider, errors, budget, drawn };
}

async function runGcodePreviewPkg(url: string, file: string, timeoutS: number) {
  // Own browser: a page stuck in a long synchronous parse cannot always be closed politely.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: launchArgs });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let crashed = false;
    page.on('crash', () => (crashed = true));
    await page.goto(`${url}/gcode-preview.html`);
    await page.locator('#file').setInputFiles(file);
    const deadline = Date.now() + timeoutS * 1000;
    while (Date.now() < deadline && !crashed) {
      const r = await Promise.race([
        page.evaluate(() => ({ ...gcodePreviewResult })),
        new Promise<null>((res) => setTimeout(() => res(null), 5000)),
      ]).catch(() => null);
      if (r?.error) return { status: `error: ${r.error}` };
      if (r?.doneAt !== undefined && r.selectedAt !== undefined) {
        const heap = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize);
        return { status: 'ok', seconds: (r.doneAt - r.selectedAt) / 1000, heap };
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
    return { status: crashed ? 'renderer crashed (out of memory?)' : `timeout after ${timeoutS} s` };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const site = path.join(workDir, 'site');
await buildHarness(site);
const server = await serveDir(site);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: launchArgs });
const rows: string[] = [];
try {
  for (const size of sizes) {
    if (only.length && !only.some((o) => size.label.startsWith(o))) continue;
    const file = generate(size.moves);
    const bytes = statSync(file).size;
    console.log(`\n--- ${size.label}: ${file} (${mb(bytes).toFixed(1)} MB, ${size.moves} moves)`);
    const results: { mode: string; total: number }[] = [];
    for (const mode of args.includes('--auto-budget') ? (['full', 'auto'] as const) : (['full'] as const)) {
      const ours = await runOurs(browser, server.url, file, mode === 'full');
      const tag = `tether (${mode === 'full' ? 'all layers' : 'automatic budget'}, ${(ours.budget / 1e6).toFixed(0)} M vertices)`;
      const total = (ours.t.doneAt - ours.t.selectedAt) / 1000;
      const parse = (ours.t.parsedAt - ours.t.selectedAt) / 1000;
      const upload = (ours.t.uploadedAt - ours.t.parsedAt) / 1000;
      const issued = (ours.t.firstFrameAt - ours.t.selectedAt) / 1000;
      const ps = ours.t.parser;
      const lod = ours.t.overviewSegments;
      const detailS = (ours.detail.detailDoneAt - ours.t.selectedAt) / 1000;
      console.log(`${tag}:`);
      console.log(
        `  first complete frame ${total.toFixed(2)} s = whole object, ${lod ? `overview level of detail: ${lod} of ${ours.info.segments} segments` : 'full detail (no overview needed)'}`,
      );
      console.log(
        `    parse ${parse.toFixed(2)} s in ${ps.mode} (lead worker: file reads ${(ps.readWaitMs / 1000).toFixed(2)} s, scan ${(ps.scanMs / 1000).toFixed(2)} s, ` +
          `merge + layer tables ${(ps.finishMs / 1000).toFixed(2)} s, overview ${(ps.overviewMs / 1000).toFixed(2)} s; halves joined ${(ps.joinBytes / 1e3).toFixed(0)} kB after the split), ` +
          `GPU upload ${upload.toFixed(2)} s, frame issued at ${issued.toFixed(2)} s (render call ${ours.t.firstFrameRenderMs.toFixed(0)} ms), the rest is SwiftShader drawing it`,
      );
      console.log(`  full-detail frame ${detailS.toFixed(2)} s (arrays uploaded in the background after the first frame)`);
      console.log(
        `  ${ours.info.segments} segments, ${ours.info.layers} layers; drawn ${ours.drawn.segments} segments` +
          (ours.drawn.skippedLayers ? ` (${ours.drawn.skippedLayers} lowest layers skipped by the budget)` : ' (all)'),
      );
      console.log(
        `  main-thread JS heap ${mb(ours.heapAtFrame).toFixed(1)} MB at first frame, ${mb(ours.heapAtDetail).toFixed(1)} MB at full detail, ${mb(ours.heapAfterGc).toFixed(1)} MB after GC ` +
          `(+ ${mb(ours.info.typedArrayBytes).toFixed(1)} MB typed-array buffers outside the JS heap)`,
      );
      console.log(
        `  longest main-thread task until the first frame ${ours.longest.toFixed(0)} ms, while refining ${ours.longestRefine.toFixed(0)} ms (0 = none over 50 ms)`,
      );
      const upd = ours.slider.map((x) => x.updateMs);
      const frm = ours.slider.map((x) => x.frameMs);
      console.log(
        `  layer slider update median ${median(upd).toFixed(2)} ms, max ${Math.max(...upd).toFixed(2)} ms (main thread); ` +
          `frame incl. SwiftShader drawing median ${median(frm).toFixed(0)} ms, max ${Math.max(...frm).toFixed(0)} ms`,
      );
      if (ours.errors.length) console.log(`  page errors: ${ours.errors.join('; ')}`);
      results.push({ mode, total });
      rows.push(
        `${size.label.padEnd(7)} ${mode.padEnd(4)} | first complete frame ${total.toFixed(2).padStart(6)} s (goal ${size.goalS}; ${lod ? `overview ${lod} segments` : 'full'}) | ` +
          `full detail ${detailS.toFixed(2)} s | heap ${mb(ours.heapAtFrame).toFixed(0)}/${mb(ours.heapAtDetail).toFixed(0)} MB (goal ${size.goalHeapMB}) | ` +
          `longest task ${ours.longest.toFixed(0)}/${ours.longestRefine.toFixed(0)} ms | slider update ${median(upd).toFixed(2)} ms (max ${Math.max(...upd).toFixed(2)}), frame ${median(frm).toFixed(0)} ms`,
      );
    }
    if (runGcodePreview) {
      const gp = await runGcodePreviewPkg(server.url, file, size.gpTimeoutS);
      const full = results.find((r) => r.mode === 'full')!.total;
      let text: string;
      if (gp.status === 'ok') {
        text = `${gp.seconds!.toFixed(2)} s, heap ${mb(gp.heap!).toFixed(0)} MB -> tether (all layers) is ${(gp.seconds! / full).toFixed(1)}x faster`;
      } else if (gp.status.startsWith('timeout')) {
        text = `${gp.status} -> tether (all layers) is >= ${(size.gpTimeoutS / full).toFixed(1)}x faster`;
      } else {
        text = gp.status;
      }
      console.log(`gcode-preview 2.18: ${text}`);
      rows.push(`${size.label.padEnd(7)} gcode-preview 2.18: ${text}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(
  `\nsummary (headless Chromium, SwiftShader${gpuProcess ? ' in the GPU process' : ', --disable-gpu'}, this machine; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}):`,
);
for (const r of rows) console.log(r);
