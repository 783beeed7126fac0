// End to end in Chromium against serve mode with the simulated printer (the sim firmware over a
// real pty): the Health page shows the MCU link's live figures, the Logs page shows the host log
// by level, "Export diagnostics" downloads one .tar.gz that tar reads with the expected entries,
// and the Printers page adds a printer from a sample and removes it. Screenshots each page.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shotDir, SLOW, startBrowserSession, type BrowserSession } from '../support/browser-session';
import { toolsPresent } from '../support/tools';

describe.skipIf(!toolsPresent('chromium', 'tar'))('health, logs and printers pages against serve mode', () => {
  let s: BrowserSession;

  beforeAll(async () => {
    s = await startBrowserSession({ name: 'health', prepare: () => ({ simulatedPrinter: true }) });
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
});
