// End to end: the dashboard's temperatures, motion and jobs cards in Chromium against serve mode
// running the default simulated printer (the sim firmware on a pty, a real host process). Its
// printer.cfg is the packaged sim config plus a G-code folder and [pause_resume], written where
// the app would create it so the app starts the sim for it. Heats (the graph's line moves and a
// reopened page still has the history), homes X with G28 X and jogs it (refused until homed,
// with the reason), uploads a small
// file and prints it through pause, resume and cancel. Screenshots of each card.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simConfigPath } from '../../src-main/app/services';
import { startServeSession, type ServeSession } from '../../src-main/server/serve-command';
import { referenceDir, repoRoot, testOutputDir } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { snapshotUi } from '../integration/serve/ui-snapshot';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
];
const shotDir = path.join(testOutputDir, 'e2e');
const SLOW = { timeout: 30_000, interval: 200 };
/** Uploads (2 MB in 8 chunks through the WebSocket) get longer on a loaded machine. */
const UPLOAD = { timeout: 60_000, interval: 250 };
/** A PrusaSlicer file with thumbnails and an estimate (read from shared/reference, never copied). */
const BENCHY = path.join(referenceDir, 'gcode/benchy-prusaslicer-2.6.1.gcode');

/** A print long enough to pause, resume and cancel: squares in X/Y at 50 mm/s (about 3 minutes). */
function squaresGcode(): string {
  const lines = ['; tether e2e squares', 'G90'];
  for (let i = 0; i < 60; i++) lines.push('G1 X20 Y20 F3000', 'G1 X120 Y20', 'G1 X120 Y120', 'G1 X20 Y120');
  return lines.join('\n') + '\n';
}

describe.skipIf(!toolsPresent('chromium'))('dashboard in Chromium against serve mode with the sim printer', () => {
  let session: ServeSession;
  let browser: Browser;
  let dataDir: string;
  let ui: { dir: string; remove(): void } | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shotDir, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-e2e-dash-'));
    // The default sim printer's config, as the app would create it, plus a G-code folder.
    const cfg = simConfigPath(dataDir);
    mkdirSync(path.dirname(cfg), { recursive: true });
    const template = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
    writeFileSync(
      cfg,
      `${template.replace(/^serial:.*$/m, `serial: ${path.join(path.dirname(cfg), 'ttyTether')}`)}\n[virtual_sdcard]\npath: ${path.join(dataDir, 'gcode')}\n\n[pause_resume]\n`,
    );
    ui = await snapshotUi();
    session = await startServeSession({
      port: 0,
      dataDir,
      uiDir: ui.dir,
      entryUrl: pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href,
      simulatedPrinter: true,
      log: () => undefined,
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await open();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await session?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    ui?.remove();
  });

  async function open(): Promise<Page> {
    const context = await browser.newContext({ colorScheme: 'light', locale: 'en-US', viewport: { width: 1360, height: 1100 } });
    const p = await context.newPage();
    p.setDefaultTimeout(30_000);
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.on('dialog', (d) => void d.accept());
    await p.goto(`${session.server.url}#/dashboard`);
    // (A locator wait, not expect.poll: this also runs in beforeAll.)
    await p
      .getByTestId('state-message')
      .filter({ hasText: /^Printer is ready$/ })
      .waitFor({ timeout: 60_000 });
    return p;
  }

  const graphLast = async (p: Page): Promise<Record<string, number | null>> =>
    JSON.parse((await p.getByTestId('temperature-graph').getAttribute('data-last')) ?? '{}') as Record<string, number | null>;
  const graphFirst = async (p: Page): Promise<number> => Number(await p.getByTestId('temperature-graph').getAttribute('data-first'));
  const graphSamples = async (p: Page): Promise<number> => Number(await p.getByTestId('temperature-graph').getAttribute('data-samples'));

  it('heats: a target set in the UI makes the graph line rise, and a reopened page keeps the history', async () => {
    const row = page.getByTestId('sensor-extruder');
    await expect.poll(() => row.getByTestId('current').textContent(), SLOW).toMatch(/^\d+\.\d °C$/);
    await expect.poll(() => graphSamples(page), SLOW).toBeGreaterThan(1);
    const before = (await graphLast(page)).extruder!;
    expect(before).toBeGreaterThan(0);
    await row.getByRole('textbox').fill('80');
    await row.getByRole('button', { name: 'Set' }).click();
    await expect.poll(() => row.locator('.target-now').textContent(), SLOW).toBe('80');
    await expect.poll(async () => (await graphLast(page)).extruder!, SLOW).toBeGreaterThan(before + 2);
    const card = page.getByTestId('temperatures-panel');
    await card.screenshot({ path: path.join(shotDir, 'dashboard-temperatures.png') });

    // The history lives in the host: a fresh page draws every sample so far, not only new ones.
    const samples = await graphSamples(page);
    const firstS = await graphFirst(page);
    const again = await open();
    await expect.poll(() => graphSamples(again), SLOW).toBeGreaterThanOrEqual(samples);
    // Its oldest sample is the first page's oldest: it came from the host, not from polling since.
    expect(await graphFirst(again)).toBe(firstS);
    await again.context().close();
    // Heaters off again (the PLA/PETG/off presets send SET_HEATER_TEMPERATURE for each heater).
    await page.getByRole('button', { name: 'Heaters off' }).click();
    await expect.poll(() => row.locator('.target-now').textContent(), SLOW).toBe('0');
  }, 120_000);

  it('jogs only homed axes, with the reason shown; after G28 X, X+10 moves the shown position', async () => {
    const card = page.getByTestId('motion-panel');
    const jogX = card.getByTestId('jog-x+');
    const reason = card.getByTestId('jog-reason');
    expect(await jogX.isDisabled()).toBe(true);
    expect(await reason.textContent()).toContain('X, Y, Z not homed');
    await card.screenshot({ path: path.join(shotDir, 'dashboard-motion-unhomed.png') });
    // Home X only (G28 X, a real homing move against the sim's endstop): X may jog, Y and Z still say why not.
    await card.getByRole('button', { name: 'Home X' }).click();
    const homed = async (axis: string) =>
      (await card.getByTestId(`position-${axis}`).getAttribute('class'))?.split(' ').includes('homed') ?? false;
    await expect.poll(() => homed('x'), SLOW).toBe(true);
    await expect.poll(() => jogX.isEnabled(), SLOW).toBe(true);
    expect(await card.getByTestId('jog-y+').isDisabled()).toBe(true);
    expect(await reason.textContent()).toContain('Y, Z not homed');
    const x0 = Number(await card.getByTestId('position-x').locator('.axis-value').textContent());
    await card.getByRole('radio', { name: '10 mm' }).click();
    await jogX.click();
    await expect
      .poll(async () => Number(await card.getByTestId('position-x').locator('.axis-value').textContent()), SLOW)
      .toBeCloseTo(x0 + 10, 1);
    await card.screenshot({ path: path.join(shotDir, 'dashboard-motion.png') });
    // Y too, for the print below (it moves X and Y only).
    await card.getByRole('button', { name: 'Home Y' }).click();
    await expect.poll(() => homed('y'), SLOW).toBe(true);
  }, 120_000);

  it('uploads by picker (progress bar, metadata, thumbnail) and by drop, then prints through pause, resume and cancel', async () => {
    const card = page.getByTestId('jobs-panel');
    // A 2 MB PrusaSlicer file goes up in 256 KiB chunks: record the progress bar as it moves.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('[data-testid="upload-row"] progress');
        if (bar && seen.at(-1) !== bar.value) seen.push(bar.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await card.getByTestId('upload-input').setInputFiles(BENCHY);
    const benchy = card.locator(`[data-testid="file-row"][data-name="${path.basename(BENCHY)}"]`);
    // Polls 'listed', or the upload rows' text (an upload error then shows in the failure).
    const listed = (row: typeof benchy) => async () =>
      (await row.count()) ? 'listed' : (await card.getByTestId('upload-row').allTextContents()).join(' | ');
    await expect.poll(listed(benchy), UPLOAD).toBe('listed');
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // Slicer metadata and the embedded PNG thumbnail.
    await expect.poll(() => benchy.textContent(), SLOW).toContain('est. 38 min 43 s');
    expect(await benchy.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,iVBOR/);

    // A small file dropped on the zone.
    const name = `e2e-squares-${process.pid}.gcode`;
    await card.getByTestId('upload-zone').evaluate(
      (zone, [fileName, text]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], fileName));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      [name, squaresGcode()],
    );
    const row = card.locator(`[data-testid="file-row"][data-name="${name}"]`);
    await expect.poll(listed(row), UPLOAD).toBe('listed');
    expect(readFileSync(path.join(dataDir, 'gcode', name), 'utf8')).toBe(squaresGcode());
    await card.screenshot({ path: path.join(shotDir, 'dashboard-jobs-files.png') });

    const state = card.getByTestId('job-state');
    await row.getByRole('button', { name: 'Print' }).click();
    // Anything but Printing shows the whole card, so a failure carries the host's message.
    const printing = async () => ((await state.textContent()) === 'Printing' ? 'Printing' : await card.textContent());
    await expect.poll(printing, SLOW).toBe('Printing');
    await expect.poll(async () => parseFloat((await card.getByTestId('job-progress').textContent()) ?? '0'), SLOW).toBeGreaterThan(0);
    await expect.poll(() => card.getByTestId('job-eta').textContent(), SLOW).toMatch(/\d+ min \d+ s/);
    await card.screenshot({ path: path.join(shotDir, 'dashboard-jobs-printing.png') });
    await card.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => state.textContent(), SLOW).toBe('Paused');
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => state.textContent(), SLOW).toBe('Printing');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => state.textContent(), SLOW).toBe('Cancelled');
    await card.screenshot({ path: path.join(shotDir, 'dashboard-jobs.png') });
    await page.screenshot({ path: path.join(shotDir, 'dashboard-full.png') });
    // The same cards in Simplified Chinese.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await expect.poll(() => card.getByTestId('job-state').textContent(), SLOW).toBe('已取消');
    await page.screenshot({ path: path.join(shotDir, 'dashboard-full-zh-CN.png') });
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    expect(pageErrors).toEqual([]);
  }, 150_000);
});
