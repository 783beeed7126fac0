// End to end in Chromium against serve mode with the simulated printer (the sim firmware over a
// real pty): the Health page shows the MCU link's live figures, the Logs page shows the host log
// by level, "Export diagnostics" downloads one .tar.gz that tar reads with the expected entries,
// the Printers page adds a printer from a sample and removes it, and the config editor opens an
// [include]d file and flags a pin the sim's dictionary lacks. Screenshots each page.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shotDir, SLOW, startBrowserSession, type BrowserSession } from '../support/browser-session';
import { repoRoot } from '../support/paths';
import { toolsPresent } from '../support/tools';

describe.skipIf(!toolsPresent('chromium', 'tar'))('health, logs and printers pages against serve mode', () => {
  let s: BrowserSession;

  beforeAll(async () => {
    s = await startBrowserSession({
      name: 'health',
      prepare(dataDir) {
        // The simulated printer's printer.cfg, made before first start (the app keeps an existing
        // one), with an [include] of a macros file.
        const simDir = path.join(dataDir, 'sim');
        mkdirSync(simDir, { recursive: true });
        const cfg = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8').replace(/^(serial\s*[:=]\s*).*$/m, `$1${path.join(simDir, 'ttyTether')}`);
        writeFileSync(path.join(simDir, 'printer.cfg'), `[include sim-*.cfg]\n\n${cfg}`);
        writeFileSync(path.join(simDir, 'sim-macros.cfg'), '[gcode_macro HELLO_INCLUDE]\ngcode:\n  M118 hello from an include\n');
        return { simulatedPrinter: true };
      },
    });
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  it('shows live MCU link figures of the simulated printer', async () => {
    const { page, errors } = await s.openPage({ hash: 'health' });
    await expect.poll(() => page.getByTestId('state-message').textContent(), { ...SLOW, timeout: 60_000 }).toBe('Printer is ready');
    const seq = page.getByTestId('health-seq');
    await expect.poll(() => seq.count(), SLOW).toBe(1);
    const first = Number((await seq.locator('dd.mono').textContent())!.split('/')[0].replace(/\D/g, ''));
    expect(first).toBeGreaterThan(0);
    // The link keeps talking (clock sync), so send_seq grows while the page polls.
    await expect.poll(async () => Number((await seq.locator('dd.mono').textContent())!.split('/')[0].replace(/\D/g, '')), SLOW).toBeGreaterThan(first);
    await expect.poll(() => page.getByTestId('health-hostCpu').locator('dd.mono').textContent(), SLOW).toMatch(/\d+\.\d %/);
    expect(await page.getByTestId('health-firmware').locator('dd.mono').textContent()).not.toBe('—');
    expect(await page.getByTestId('health-drift').locator('dd.mono').textContent()).toMatch(/ppm$/);
    await page.screenshot({ path: path.join(shotDir, 'health.png'), fullPage: true });
    await page.context().close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows the host log by level and exports diagnostics as one archive', async () => {
    const { page, errors } = await s.openPage({ hash: 'logs' });
    const out = page.getByTestId('log-output');
    await expect.poll(() => out.textContent(), SLOW).toContain('state ready: Printer is ready');
    await page.screenshot({ path: path.join(shotDir, 'logs.png') });
    // Only errors: the 'ready' line goes.
    for (const level of ['warning', 'info']) await page.getByTestId(`log-level-${level}`).uncheck();
    await expect.poll(() => out.textContent(), SLOW).not.toContain('state ready');
    await page.getByTestId('log-level-info').check();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-diagnostics').click()]);
    expect(download.suggestedFilename()).toMatch(/^tether-diagnostics-\d{8}-\d{6}\.tar\.gz$/);
    const file = path.join(shotDir, 'diagnostics.tar.gz');
    await download.saveAs(file);
    const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(entries).toEqual(
      expect.arrayContaining([
        'README.txt',
        'versions.json',
        'printers/simulated-printer/host.log',
        'printers/simulated-printer/printer.cfg',
        'printers/simulated-printer/mcu-stats.json',
      ]),
    );
    const stats = JSON.parse(execFileSync('tar', ['-xzOf', file, 'printers/simulated-printer/mcu-stats.json'], { encoding: 'utf8' }));
    expect(stats.mcu.sendSeq).toBeGreaterThan(0);
    expect(stats.mcu.version).toBeTruthy();
    const versions = JSON.parse(execFileSync('tar', ['-xzOf', file, 'versions.json'], { encoding: 'utf8' }));
    expect(versions.printers['simulated-printer'].firmware).toBe(stats.mcu.version);
    await expect.poll(() => page.getByTestId('export-result').textContent(), SLOW).toContain('Downloaded');
    await page.context().close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('adds a printer from a sample, shows it, and removes it', async () => {
    const { page, errors } = await s.openPage({ hash: 'printers' });
    const table = page.getByTestId('printers-table');
    await expect.poll(() => table.textContent(), SLOW).toContain('Simulated printer');
    await page.getByLabel('Name', { exact: true }).fill('Second bench');
    await page.getByTestId('add-printer').click();
    await expect.poll(() => table.textContent(), SLOW).toContain('Second bench');
    // The new printer is the one shown now.
    await expect.poll(() => page.locator('#printer-select').inputValue(), SLOW).toBe('second-bench');
    await page.screenshot({ path: path.join(shotDir, 'printers.png') });
    await page.getByRole('button', { name: 'Remove Second bench' }).click();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => table.textContent(), SLOW).not.toContain('Second bench');
    await page.context().close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('opens an [include]d file from the editor and flags a pin the MCU does not have', async () => {
    const { page, errors } = await s.openPage({ hash: 'config', viewport: { width: 1360, height: 860 } });
    await expect.poll(() => page.getByTestId('state-message').textContent(), { ...SLOW, timeout: 60_000 }).toBe('Printer is ready');
    const editor = page.getByTestId('config-editor');
    await expect.poll(() => editor.locator('.cm-content').textContent(), SLOW).toContain('[include sim-*.cfg]');
    await expect.poll(() => page.getByTestId('config-includes').textContent(), SLOW).toContain('sim-macros.cfg');
    // Ctrl+click on the [include] line opens the file it names (the glob resolved next to printer.cfg).
    await editor.locator('.cm-line', { hasText: /^\[include sim-\*\.cfg\]$/ }).click({ modifiers: ['Control'] });
    await expect.poll(() => page.getByTestId('config-path').textContent(), SLOW).toMatch(/sim-macros\.cfg$/);
    await expect.poll(() => editor.locator('.cm-content').textContent(), SLOW).toContain('hello from an include');
    await page.screenshot({ path: path.join(shotDir, 'config-include.png') });
    await page.getByRole('button', { name: '← Back to printer.cfg' }).click();
    await expect.poll(() => page.getByTestId('config-path').textContent(), SLOW).toMatch(/printer\.cfg$/);

    // The MCU's dictionary is known: a pin it lacks is an error on its line.
    await expect.poll(() => page.locator('.cfg-pins-note').textContent(), SLOW).toContain("MCU 'mcu'");
    await expect.poll(() => page.getByTestId('config-status').textContent(), SLOW).toContain('No problems');
    // [extruder] is below the fold: the outline scrolls the editor to it.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'extruder', exact: true }).click();
    await editor.locator('.cm-line', { hasText: /^heater_pin: PB4$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('heater_pin: PZ4');
    await expect.poll(() => page.getByTestId('config-status').textContent(), SLOW).toContain('1 errors');
    const bad = editor.locator('.cm-lintRange-error');
    await expect.poll(() => bad.first().textContent(), SLOW).toContain('PZ4');
    await bad.first().hover();
    await expect.poll(() => page.locator('.cm-tooltip-lint').textContent(), SLOW).toContain("Pin 'PZ4' in [extruder] heater_pin is not a pin of MCU 'mcu'");
    await page.screenshot({ path: path.join(shotDir, 'config-bad-pin.png') });
    await page.context().close();
    // Known, not ours to fix here: typing with the completion popup open makes CodeMirror set an
    // inline style that the CSP blocks (harmless; reported). Every other error fails the test.
    expect(errors.filter((e) => !e.startsWith('Applying inline style violates'))).toEqual([]);
  }, 120_000);
});
