// End to end in Debian's Chromium (SwiftShader WebGL 2): the real PreviewPanel in a harness
// page loads reference G-code through its file input, draws it, and redraws for the layer
// slider and for live print progress; then, served by serve mode with the sim printer, it
// follows a real print (status from the host) and opens the printing file from the printer.
// Screenshots go to test-output/preview/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { referenceDir, repoRoot, testOutputDir } from '../support/paths';
import { startSimPrinter, type SimPrinter } from '../../src-main/host/sim/launch';
import { startServeSession, type ServeSession } from '../../src-main/server/serve-command';
import { TestClient } from '../integration/serve/ws-client';
import type { ApiReply } from '../../src-main/api/contract';
import { toolsPresent } from '../support/tools';
import { buildHarness, chromiumArgs, serveDir } from '../bench/preview/harnessServer';
import type { PreviewState } from '../../src-renderer/features/preview/previewStore';

const outDir = path.join(testOutputDir, 'preview');
const benchy = path.join(referenceDir, 'gcode', 'benchy-prusaslicer-2.6.1.gcode');

type Harness = {
  store: { getState(): PreviewState };
  waitForFirstFrame(ms: number): Promise<Record<string, number>>;
  snapshot(name: string): void;
  diff(a: string, b: string): number;
  drawn(): { first: number; end: number } | null;
  drawing(): 'overview' | 'full' | null;
  waitForDetail(ms: number): Promise<Record<string, number>>;
};
declare const previewHarness: Harness;

/** The harness pages, built once for both groups of tests. */
let site: Promise<string> | null = null;
function harnessSite(): Promise<string> {
  const dir = path.join(testOutputDir, 'preview-harness');
  site ??= buildHarness(dir).then(() => dir);
  return site;
}

describe.skipIf(!toolsPresent('chromium'))('toolpath preview in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: { url: string; close(): Promise<void> };
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    server = await serveDir(await harnessSite());
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads a sliced file, draws it, and redraws for the layer slider and live progress', async () => {
    await page.goto(`${server.url}/index.html`);
    await page.getByText('Open a G-code file to preview it.').waitFor();
    await page.evaluate(() => previewHarness.snapshot('empty'));

    await page.getByTestId('preview-file').setInputFiles(benchy);
    const timings = await page.evaluate(() => previewHarness.waitForFirstFrame(60_000));
    expect(timings.firstFrameAt).toBeGreaterThan(timings.selectedAt);
    await expect.poll(() => page.getByTestId('preview-status').textContent()).toMatch(/160 layers/);
    await page.evaluate(() => previewHarness.snapshot('loaded'));
    await page.screenshot({ path: path.join(outDir, 'benchy-all-layers.png') });
    // The toolpath covers a real part of the canvas, compared with the bed alone.
    const drawnPixels = await page.evaluate(() => previewHarness.diff('empty', 'loaded'));
    expect(drawnPixels).toBeGreaterThan(5000);

    // Layer slider down to layer 20: draw range only, and the picture changes.
    const high = page.getByTestId('preview-layer-high');
    await high.fill('20');
    await expect.poll(() => page.evaluate(() => previewHarness.store.getState().layerRange[1])).toBe(19);
    const win = await page.evaluate(() => previewHarness.drawn());
    const layerStart = await page.evaluate(() => previewHarness.store.getState().toolpath!.layers.startSegment[20]);
    expect(win!.end).toBe(layerStart);
    await page.evaluate(() => previewHarness.snapshot('layer20'));
    await page.screenshot({ path: path.join(outDir, 'benchy-layer-20.png') });
    expect(await page.evaluate(() => previewHarness.diff('loaded', 'layer20'))).toBeGreaterThan(2000);
    await expect(page.getByTestId('preview-layer-info').textContent()).resolves.toMatch(/20 of 160/);

    // Within-layer scrubber: fewer moves of the top layer drawn.
    await page.getByTestId('preview-scrub').fill('10');
    await expect
      .poll(() => page.evaluate(() => previewHarness.drawn()!.end))
      .toBe(await page.evaluate(() => previewHarness.store.getState().toolpath!.layers.startSegment[19] + 10));

    // Live progress from the store action (the host drives it while printing): half the file.
    await high.fill('160');
    await page.evaluate(() => previewHarness.snapshot('full'));
    const size = await page.evaluate(() => previewHarness.store.getState().toolpath!.fileSizeBytes);
    await page.evaluate((pos) => previewHarness.store.getState().setLiveProgress(pos), Math.floor(size / 2));
    await page.getByTestId('preview-live').waitFor();
    const liveLayer = await page.evaluate(() => previewHarness.store.getState().liveLayer);
    expect(liveLayer).toBeGreaterThan(20);
    expect(liveLayer).toBeLessThan(159);
    await page.evaluate(() => previewHarness.snapshot('live'));
    await page.screenshot({ path: path.join(outDir, 'benchy-live-progress.png') });
    expect(await page.evaluate(() => previewHarness.diff('full', 'live'))).toBeGreaterThan(2000);
    // Progress moves on: the picture changes again.
    await page.evaluate((pos) => previewHarness.store.getState().setLiveProgress(pos), Math.floor(size * 0.9));
    await page.evaluate(() => previewHarness.snapshot('live90'));
    expect(await page.evaluate(() => previewHarness.diff('live', 'live90'))).toBeGreaterThan(500);

    // Solid mode (instanced boxes) draws too, differently from lines.
    await page.evaluate(() => previewHarness.store.getState().setLiveProgress(null));
    await page.evaluate(() => previewHarness.store.getState().setRenderMode('solid'));
    await page.evaluate(() => previewHarness.snapshot('solid'));
    await page.screenshot({ path: path.join(outDir, 'benchy-solid.png') });
    expect(await page.evaluate(() => previewHarness.diff('full', 'solid'))).toBeGreaterThan(2000);
    expect(errors).toEqual([]);
  });

  it('big-file path: two parser workers and an overview first frame end in the same picture as one worker', async () => {
    const p = await browser.newPage({ viewport: { width: 900, height: 600 } });
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${server.url}/index.html`);
    await p.getByTestId('preview-panel').waitFor();
    const file = { name: 'benchy.gcode', mimeType: 'text/plain', buffer: readFileSync(benchy) };
    await p.getByTestId('preview-file').setInputFiles(file);
    await p.evaluate(() => previewHarness.waitForDetail(60_000));
    await p.evaluate(() => previewHarness.snapshot('one'));
    const one = await p.evaluate(() => previewHarness.store.getState().timings!);
    expect(one.parser).toMatchObject({ mode: 'single' });
    expect(one.overviewSegments).toBeNull();

    // Small thresholds make benchy (5 MB, 58k moves) take the path of a 200 MB file.
    await p.evaluate(() => previewHarness.store.getState().setLoadOptions({ overviewSegments: 5000, parallelMinBytes: 0 }));
    await p.getByTestId('preview-file').setInputFiles({ ...file, name: 'benchy-again.gcode' });
    const t = await p.evaluate(() => previewHarness.waitForFirstFrame(60_000));
    expect(t.parser).toMatchObject({ mode: 'two workers' });
    expect(t.overviewSegments).toBeGreaterThanOrEqual(160);
    expect(t.overviewSegments).toBeLessThanOrEqual(5000);
    const detail = await p.evaluate(() => previewHarness.waitForDetail(60_000));
    expect(detail.detailFrameAt).toBeGreaterThan(t.firstFrameAt);
    expect(await p.evaluate(() => previewHarness.drawing())).toBe('full');
    expect(await p.evaluate(() => previewHarness.store.getState().toolpath!.layers.count)).toBe(160);
    await p.evaluate(() => previewHarness.snapshot('two'));
    // Same arrays, same camera: the same picture.
    expect(await p.evaluate(() => previewHarness.diff('one', 'two'))).toBeLessThan(50);
    await p.evaluate(() => previewHarness.store.getState().setLoadOptions({ overviewSegments: null, parallelMinBytes: 8 << 20 }));
    await p.close();
  });

  it("hides travel moves and colours each segment by its own type (not its neighbour's)", async () => {
    // Short extrusions joined by long diagonal travels. If a segment took the colour and
    // visibility of the segment before it, the long travels would show with travel hidden.
    let g = 'G90\nM83\nG1 Z0.2\n';
    for (let i = 0; i < 6; i++) {
      const x = 20 + i * 30;
      g += `G1 X${x} Y20\nG1 X${x + 2} Y20 E0.5\nG1 X${200 - x} Y200\nG1 X${202 - x} Y200 E0.5\n`;
    }
    const p = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await p.goto(`${server.url}/index.html`);
    await p.getByTestId('preview-panel').waitFor();
    await p.getByTestId('preview-file').setInputFiles({ name: 'travel.gcode', mimeType: 'text/plain', buffer: Buffer.from(g) });
    await p.evaluate(() => previewHarness.waitForFirstFrame(30_000));
    await p.evaluate(() => previewHarness.store.getState().requestCamera('top'));
    await p.evaluate(() => previewHarness.store.getState().setScrub(0)); // nothing drawn: the bed alone
    await p.evaluate(() => previewHarness.snapshot('empty'));
    await p.evaluate(() => previewHarness.store.getState().setScrub(null));
    await p.evaluate(() => previewHarness.snapshot('hidden'));
    await p.evaluate(() => previewHarness.store.getState().setShowTravel(true));
    await p.evaluate(() => previewHarness.snapshot('shown'));
    await p.screenshot({ path: path.join(outDir, 'travel-shown.png') });
    const extrusionPixels = await p.evaluate(() => previewHarness.diff('empty', 'hidden'));
    const travelPixels = await p.evaluate(() => previewHarness.diff('hidden', 'shown'));
    expect(extrusionPixels).toBeGreaterThan(10);
    expect(travelPixels).toBeGreaterThan(extrusionPixels * 5);
    await p.close();
  });

  it('shows Simplified Chinese when the harness starts in zh-CN', async () => {
    const zh = await browser.newPage();
    await zh.goto(`${server.url}/index.html?lng=zh-CN`);
    await zh.getByText('打开 G 代码文件以预览。').waitFor();
    await zh.getByTestId('preview-file').setInputFiles(path.join(referenceDir, 'gcode', 'puzzle_all-cura-2.3.1.gcode'));
    await zh.evaluate(() => previewHarness.waitForFirstFrame(60_000));
    await expect.poll(() => zh.getByTestId('preview-status').textContent()).toMatch(/119 层/);
    await zh.screenshot({ path: path.join(outDir, 'puzzle-zh-CN.png') });
    await zh.close();
  });
});

/** A short print for the sim: 6 layers of a 40 mm square and a few infill lines at 100 mm/s (~20 s). */
function shortPrint(): string {
  let g = '; generated by the preview e2e test\nSET_KINEMATIC_POSITION X=80 Y=80 Z=1\nG90\nM83\n';
  for (let l = 1; l <= 6; l++) {
    const z = (0.3 * l).toFixed(2);
    g += `;LAYER_CHANGE\n;Z:${z}\nG1 Z${z} F3000\n;TYPE:External perimeter\nG1 X80 Y80 F6000\n`;
    g += 'G1 X120 Y80 E1.5\nG1 X120 Y120 E1.5\nG1 X80 Y120 E1.5\nG1 X80 Y80 E1.5\n;TYPE:Solid infill\n';
    for (let i = 1; i <= 4; i++) g += `G1 X${i % 2 ? 120 : 80} Y${80 + i * 8} E1.5\nG1 X${i % 2 ? 120 : 80} Y${80 + i * 8 + 4}\n`;
  }
  return g;
}

function ok<T>(reply: ApiReply): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

describe.skipIf(!toolsPresent('chromium'))('toolpath preview following a print on the sim printer (serve mode)', () => {
  let dir = '';
  let sim: SimPrinter | null = null;
  let session: ServeSession | null = null;
  let browser: Browser;
  let client: TestClient;
  const NAME = 'preview-live.gcode';
  const gcode = shortPrint();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tether-preview-live-'));
    const siteDir = await harnessSite();
    const simDir = path.join(dir, 'sim');
    mkdirSync(simDir, { recursive: true });
    const configPath = path.join(dir, 'printer.cfg');
    const template = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
    writeFileSync(
      configPath,
      template
        .replace(/^serial: .*$/m, `serial: ${path.join(simDir, 'tty')}`)
        .replace(/^\[extruder\]$/m, '[extruder]\nmin_extrude_temp: 0') + `\n[virtual_sdcard]\npath: ${path.join(dir, 'gcode')}\n`,
    );
    sim = await startSimPrinter({ configPath, dataDir: simDir });
    session = await startServeSession({
      port: 0,
      dataDir: path.join(dir, 'data'),
      uiDir: siteDir,
      entryUrl: pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href,
      configPath,
      log: () => undefined,
    });
    client = await TestClient.open(`ws://127.0.0.1:${session.server.port}/api`);
    for (let i = 0; i < 600; i++) {
      if (ok<{ state: string }>(await client.call('printer.status', { printerId: 'printer-1' })).state === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bytes = Buffer.from(gcode);
    const { uploadId } = ok<{ uploadId: string }>(
      await client.call('files.uploadBegin', { printerId: 'printer-1', name: NAME, size: bytes.length }),
    );
    ok(await client.call('files.uploadChunk', { uploadId, offset: 0, dataBase64: bytes.toString('base64') }));
    ok(await client.call('files.uploadEnd', { uploadId }));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  }, 180_000);

  afterAll(async () => {
    await client?.call('print.cancel', { printerId: 'printer-1' }).catch(() => undefined);
    client?.close();
    await browser?.close();
    await session?.stop();
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes the bed from the config, highlights the printed part as the sim prints, and opens the printing file', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('index.html?printer=printer-1', session!.server.url).href);
    await page.getByTestId('preview-panel').waitFor();
    // tether-sim.cfg: position_max 200 on X, Y and Z, no position_min (0), not the 220x220x250 default.
    await expect
      .poll(() => page.evaluate(() => previewHarness.store.getState().buildVolume), { timeout: 30_000 })
      .toEqual({ x: [0, 200], y: [0, 200], z: [0, 200] });

    // The same file, opened locally before the print: drawn all solid.
    await page.getByTestId('preview-file').setInputFiles({ name: NAME, mimeType: 'text/plain', buffer: Buffer.from(gcode) });
    await page.evaluate(() => previewHarness.waitForFirstFrame(60_000));
    await page.evaluate(() => previewHarness.store.getState().requestCamera('top'));
    await page.evaluate(() => previewHarness.snapshot('idle'));
    const segments = await page.evaluate(() => previewHarness.store.getState().toolpath!.segmentCount);

    ok(await client.call('print.start', { printerId: 'printer-1', name: NAME }));
    // The host's file position arrives through status.delta: part of the file printed.
    await expect
      .poll(() => page.evaluate(() => previewHarness.store.getState().liveSegment ?? 0), { timeout: 60_000, interval: 100 })
      .toBeGreaterThan(0);
    const first = await page.evaluate(() => previewHarness.store.getState().liveSegment!);
    expect(first).toBeLessThan(segments);
    await page.evaluate(() => previewHarness.snapshot('printing'));
    await page.screenshot({ path: path.join(outDir, 'live-from-host.png') });
    expect(await page.evaluate(() => previewHarness.diff('idle', 'printing'))).toBeGreaterThan(500);
    // The print goes on: more of it solid, a different picture.
    await expect
      .poll(() => page.evaluate(() => previewHarness.store.getState().liveSegment ?? 0), { timeout: 60_000, interval: 200 })
      .toBeGreaterThan(first + 8);
    await page.evaluate(() => previewHarness.snapshot('later'));
    expect(await page.evaluate(() => previewHarness.diff('printing', 'later'))).toBeGreaterThan(100);
    await expect(page.getByTestId('preview-live').textContent()).resolves.toMatch(/Printing layer \d of 6/);

    // A second window with nothing open: it offers the printing file and opens it from the printer.
    const other = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    other.on('pageerror', (e) => errors.push(e.message));
    await other.goto(new URL('index.html?printer=printer-1', session!.server.url).href);
    await other.getByTestId('preview-open-printing').click({ timeout: 30_000 });
    await other.evaluate(() => previewHarness.waitForFirstFrame(60_000));
    expect(await other.evaluate(() => previewHarness.store.getState().hostFileName)).toBe(NAME);
    expect(await other.evaluate(() => previewHarness.store.getState().toolpath!.segmentCount)).toBe(segments);
    await expect.poll(() => other.evaluate(() => previewHarness.store.getState().liveSegment ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
    await other.getByTestId('preview-live').waitFor();
    await other.screenshot({ path: path.join(outDir, 'opened-printing-file.png') });
    expect(errors).toEqual([]);
    await other.close();
    await page.close();
  }, 240_000);
});
