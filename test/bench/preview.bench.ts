// Toolpath preview benchmark in headless Chromium (SwiftShader WebGL 2): our preview and the
// gcode-preview npm package on the same generated 50 MB and 200 MB files, in the same run.
// Prints: file selected -> first complete frame, JS heap, longest main-thread task while
// loading, layer slider update time. Goals (issue 9): 50 MB <= 2.5 s and <= 80 MB heap;
// 200 MB <= 8 s and <= 250 MB; >= 4x faster than gcode-preview; slider update <= 16 ms;
// no main-thread task > 50 ms while loading.
// Run: npx tsx test/bench/preview.bench.ts [50] [200] [--no-gcode-preview]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { referenceDir } from '../support/paths';
import { buildHarness, chromiumArgs, serveDir } from './preview/harnessServer';

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

const launchArgs = [...chromiumArgs, '--enable-precise-memory-info', '--js-flags=--expose-gc'];
const mb = (b: number) => b / 1e6;

type Harness = {
  store: { getState(): any };
  longTasks: { start: number; duration: number }[];
  waitForFirstFrame(ms: number): Promise<Record<string, number>>;
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

async function runOurs(browser: Browser, url: string, file: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/index.html`);
  await page.getByTestId('preview-panel').waitFor();
  await page.getByTestId('preview-file').setInputFiles(file);
  const t = await page.evaluate(() => previewHarness.waitForFirstFrame(180_000));
  const heapAtFrame = await page.evaluate(() => previewHarness.heapBytes());
  const heapAfterGc = await page.evaluate(() => {
    gc();
    return previewHarness.heapBytes();
  });
  const info = await page.evaluate(() => {
    const tp = previewHarness.store.getState().toolpath;
    const arrays = [tp.points, tp.extrusionMm, tp.feedMmMin, tp.feature, tp.tool, tp.layer, tp.fileOffset];
    return {
      segments: tp.segmentCount,
      layers: tp.layers.count,
      typedArrayBytes: arrays.reduce((s: number, a: ArrayBufferView) => s + a.byteLength, 0),
    };
  });
  // Tasks until the viewer issued the first full frame; the harness's own readPixels wait after
  // that (it blocks until SwiftShader finished the frame) is not the app's work.
  const tasks = await page.evaluate(
    ([from, to]) =>
      previewHarness.longTasks
        .filter((e) => e.start >= from - 1 && e.start <= to)
        .map((e) => ({ atMs: Math.round(e.start - from), ms: Math.round(e.duration) })),
    [t.selectedAt, t.firstFrameAt],
  );
  const longest = tasks.reduce((m, e) => Math.max(m, e.ms), 0);
  if (tasks.length) console.log(`tether: main-thread tasks over 50 ms while loading (start after select, length): ${JSON.stringify(tasks)}`);
  // Slider: 15 layer changes spread over the file.
  const slider: { updateMs: number; renderMs: number; frameMs: number }[] = [];
  for (let i = 0; i < 15; i++) {
    const high = Math.floor(((i * 7919) % 97) / 97 * info.layers);
    slider.push(await page.evaluate((h) => previewHarness.timeLayerChange(h), high));
  }
  await page.close();
  return { t, heapAtFrame, heapAfterGc, info, longest, slider, errors };
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
        const heap = await page.evaluate(
          () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
        );
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
    const ours = await runOurs(browser, server.url, file);
    const total = (ours.t.doneAt - ours.t.selectedAt) / 1000;
    const parse = (ours.t.parsedAt - ours.t.selectedAt) / 1000;
    const upload = (ours.t.uploadedAt - ours.t.parsedAt) / 1000;
    const issued = (ours.t.firstFrameAt - ours.t.selectedAt) / 1000;
    console.log(
      `tether: first complete frame ${total.toFixed(2)} s (parse in worker ${parse.toFixed(2)} s, GPU upload ${upload.toFixed(2)} s, frame issued at ${issued.toFixed(2)} s, ` +
        `rest is SwiftShader drawing it), ` +
        `${ours.info.segments} segments, ${ours.info.layers} layers`,
    );
    console.log(
      `tether: main-thread JS heap ${mb(ours.heapAtFrame).toFixed(1)} MB at first frame, ${mb(ours.heapAfterGc).toFixed(1)} MB after GC ` +
        `(+ ${mb(ours.info.typedArrayBytes).toFixed(1)} MB typed-array buffers outside the JS heap)`,
    );
    console.log(`tether: longest main-thread task while loading ${ours.longest.toFixed(0)} ms (0 = none over 50 ms)`);
    const upd = ours.slider.map((s) => s.updateMs);
    const frm = ours.slider.map((s) => s.frameMs);
    console.log(
      `tether: layer slider update median ${median(upd).toFixed(2)} ms, max ${Math.max(...upd).toFixed(2)} ms (main thread); ` +
        `frame incl. SwiftShader GPU work median ${median(frm).toFixed(0)} ms, max ${Math.max(...frm).toFixed(0)} ms`,
    );
    if (ours.errors.length) console.log(`tether: page errors: ${ours.errors.join('; ')}`);
    let gpText = 'not run';
    let ratioText = '-';
    if (runGcodePreview) {
      const gp = await runGcodePreviewPkg(server.url, file, size.gpTimeoutS);
      if (gp.status === 'ok') {
        gpText = `${gp.seconds!.toFixed(2)} s, heap ${mb(gp.heap!).toFixed(0)} MB`;
        ratioText = `${(gp.seconds! / total).toFixed(1)}x`;
      } else {
        gpText = gp.status;
        ratioText = `>= ${(size.gpTimeoutS / total).toFixed(1)}x (timeout)`;
        if (!gp.status.startsWith('timeout')) ratioText = 'n/a';
      }
      console.log(`gcode-preview 2.18: ${gpText}; tether is ${ratioText} faster`);
    }
    rows.push(
      `${size.label.padEnd(7)} | ${total.toFixed(2).padStart(6)} s (goal ${size.goalS}) | heap ${mb(ours.heapAtFrame).toFixed(0).padStart(4)} MB (goal ${size.goalHeapMB}) | ` +
        `longest task ${ours.longest.toFixed(0).padStart(3)} ms | slider ${median(upd).toFixed(2)} ms | gcode-preview ${gpText} | ${ratioText}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`\nsummary (headless Chromium, SwiftShader, this machine; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
for (const r of rows) console.log(r);
