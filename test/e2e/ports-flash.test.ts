// End to end: the Ports page and the Flash wizard in Debian's Chromium against serve mode,
// through the real API (PortWatcher on this machine's ports, board catalog, firmware builds).
// A socat pty stands in for a simulator: it is added as a virtual port, then offered by the
// wizard's port step.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shotDir, SLOW, startBrowserSession, type BrowserSession } from '../support/browser-session';
import { toolsPresent } from '../support/tools';

describe.skipIf(!toolsPresent('chromium', 'socat'))('Ports and Flash panels against serve mode', () => {
  let s: BrowserSession;
  let socat: ChildProcess | undefined;
  let ptyPath: string;

  beforeAll(async () => {
    s = await startBrowserSession({
      name: 'ports',
      async prepare(dataDir) {
        ptyPath = path.join(dataDir, 'ttyVirtualPrinter');
        socat = spawn('socat', [`pty,link=${ptyPath},raw,echo=0`, 'pty,raw,echo=0'], { stdio: 'ignore' });
        for (let i = 0; i < 100 && !existsSync(ptyPath); i++) await new Promise((r) => setTimeout(r, 100));
        if (!existsSync(ptyPath)) throw new Error(`socat did not create ${ptyPath}`);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    socat?.kill('SIGTERM');
  });

  it('lists ports, adds a virtual one, and walks the flash wizard to the port step', async () => {
    const { page, errors } = await s.openPage({ viewport: { width: 1280, height: 900 } });

    // Ports: the list has loaded (a table, or the empty message on a machine with no ports).
    await page.getByRole('link', { name: 'Ports' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Serial ports' }).count(), SLOW).toBe(1);
    await expect
      .poll(
        async () =>
          (await page.getByRole('table', { name: 'Serial ports' }).count()) + (await page.getByText('No serial ports found.').count()),
        SLOW,
      )
      .toBe(1);
    const form = page.getByRole('form', { name: 'Add a virtual port' });
    await form.getByLabel('Path').fill(ptyPath);
    await form.getByLabel('Name').fill('Bench simulator');
    await form.getByRole('button').click();
    const table = page.getByRole('table', { name: 'Serial ports' });
    await expect.poll(() => table.textContent(), SLOW).toContain(ptyPath);
    await expect.poll(() => table.textContent(), SLOW).toContain('Bench simulator');
    await page.screenshot({ path: path.join(shotDir, 'ports-virtual.png') });

    // Flash: board -> image (built here through the wizard) -> port step.
    await page.getByRole('link', { name: 'Flash' }).click();
    await page.getByPlaceholder('Name or chip', { exact: false }).fill('atmega2560');
    await page.getByRole('button', { name: 'Arduino Mega 2560 + RAMPS 1.4' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Firmware for Arduino Mega 2560 + RAMPS 1.4' }).count(), SLOW).toBe(1);
    // Build our firmware for the board through the API (flash.build, flash.buildEvent over the
    // WebSocket): progress and log show, and the new image is offered and chosen.
    const buildBox = page.getByTestId('flash-build');
    await buildBox.getByRole('button', { name: 'Build firmware' }).click();
    await expect.poll(() => buildBox.getByText(/^Built: \d+ of 253952 bytes of flash/).count(), { timeout: 100_000, interval: 500 }).toBe(1);
    await expect.poll(() => buildBox.getByRole('log', { name: 'Build log' }).textContent()).toMatch(/avr-gcc .*-mmcu=atmega2560/);
    await expect.poll(() => page.getByRole('radio', { name: /Tether firmware built .* bytes/ }).first().isChecked(), SLOW).toBe(true);
    await page.screenshot({ path: path.join(shotDir, 'flash-build.png') });
    // The image just built stays chosen (images under firmware/build exist only when another
    // test has built them, so the flow does not depend on them).
    await page.screenshot({ path: path.join(shotDir, 'flash-image-step.png') });
    await page.getByRole('button', { name: 'Next' }).click();
    await expect
      .poll(() => page.locator('select option').allTextContents(), SLOW)
      .toEqual(expect.arrayContaining([expect.stringContaining(ptyPath)]));
    await page.screenshot({ path: path.join(shotDir, 'flash-port-step.png') });
    expect(errors).toEqual([]);
  }, 240_000);
});
