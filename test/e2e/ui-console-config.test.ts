// End to end: the built UI in Chromium against serve mode with a printer whose printer.cfg is a
// copy of our sim config (plus a SAVE_CONFIG block). Tab-completes a console command from the
// host's registry, shows a config error on its line with the host's message, saves through the
// diff dialog and checks the file on disk kept its SAVE_CONFIG block. Screenshots each panel.
import { copyFileSync, appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shotDir, SLOW, startBrowserSession, type BrowserSession } from '../support/browser-session';
import { repoRoot } from '../support/paths';
import { toolsPresent } from '../support/tools';

const SAVE_BLOCK = ['#*# <---------------------- SAVE_CONFIG ---------------------->', '#*#', '#*# [extruder]', '#*# pid_kp = 22.2', ''].join('\n');

describe.skipIf(!toolsPresent('chromium'))('console and config editor in Chromium against serve mode', () => {
  let s: BrowserSession;
  let configPath: string;

  beforeAll(async () => {
    s = await startBrowserSession({
      name: 'ui',
      prepare(dataDir) {
        configPath = path.join(dataDir, 'printer.cfg');
        copyFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), configPath);
        appendFileSync(configPath, `\n${SAVE_BLOCK}`);
        return { configPath };
      },
    });
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  async function open(hash: string): Promise<Page> {
    return (await s.openPage({ hash, viewport: { width: 1360, height: 860 } })).page;
  }

  it('completes a console command with Tab from the host registry and runs it', async () => {
    const dash = await open('dashboard');
    // The host is connecting to an MCU that is not there: its message comes with a hint.
    await expect.poll(() => dash.getByTestId('host-hint').count(), SLOW).toBe(1);
    await dash.screenshot({ path: path.join(shotDir, 'ui-dashboard.png') });
    await dash.context().close();
    const page = await open('console');
    const input = page.getByTestId('console-input');
    await expect.poll(() => input.isEnabled(), SLOW).toBe(true);
    // Completion needs the command list; retype until it has arrived.
    await expect
      .poll(async () => {
        await input.fill('hel');
        await input.press('Tab');
        return input.inputValue();
      }, SLOW)
      .toBe('HELP ');
    await input.press('Enter');
    const output = page.getByTestId('console-output');
    // HELP rows are laid out as name | help (the scrollback shows its last rows).
    await expect.poll(() => page.locator('.help-name').count(), SLOW).toBeGreaterThan(0);
    // The filter hides matching lines but keeps the command.
    await page.getByTestId('console-filter').fill('.');
    await expect.poll(() => output.textContent(), SLOW).toContain('> HELP');
    expect(await page.locator('.help-name').count()).toBe(0);
    await page.getByTestId('console-filter').fill('');
    await page.screenshot({ path: path.join(shotDir, 'ui-console.png') });
    await page.context().close();
  }, 120_000);

  it('shows a config error on its line with the host message, and saves through the diff keeping SAVE_CONFIG', async () => {
    const page = await open('config');
    const editor = page.getByTestId('config-editor');
    await expect.poll(() => editor.locator('.cm-content').textContent(), SLOW).toContain('[printer]');
    await expect.poll(() => page.getByTestId('config-status').textContent(), SLOW).toContain('No problems');
    // The SAVE_CONFIG block is shown read-only, not in the editor.
    expect(await editor.locator('.cm-content').textContent()).not.toContain('SAVE_CONFIG');
    expect(await page.getByTestId('config-saveconfig').textContent()).toContain('pid_kp = 22.2');

    // Type an unknown option on the line after [printer].
    const printerLine = editor.locator('.cm-line', { hasText: /^\[printer\]$/ });
    await printerLine.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('max_speeed: 300');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('config-status').textContent(), SLOW).toContain('1 errors');
    const bad = editor.locator('.cm-lintRange-error');
    await expect.poll(() => bad.first().textContent(), SLOW).toContain('max_speeed');
    // The gutter marker sits on that line; its tooltip carries the host's message.
    const lineNo = await editor.locator('.cm-line').evaluateAll((lines) => lines.findIndex((l) => l.textContent === 'max_speeed: 300') + 1);
    expect(lineNo).toBeGreaterThan(1);
    await bad.first().hover();
    await expect.poll(() => page.locator('.cm-tooltip-lint').textContent(), SLOW).toContain("Option 'max_speeed' is not valid in section 'printer'");
    await page.screenshot({ path: path.join(shotDir, 'ui-config-error.png') });
    // Completion of option names with their type and doc from the catalog.
    await page.keyboard.press('Escape');
    await editor.locator('.cm-line', { hasText: /^max_speeed: 300$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('square_corner');
    await expect.poll(() => page.locator('.cm-tooltip-autocomplete').textContent(), SLOW).toContain('square_corner_velocity');
    await page.screenshot({ path: path.join(shotDir, 'ui-config-completion.png') });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');

    // Fix it to a real option, then save through the diff dialog.
    await editor.locator('.cm-line', { hasText: /^max_speeed: 300$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('# tuned below');
    await editor.locator('.cm-line', { hasText: /^max_accel: 3000$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('max_accel: 2500');
    await expect.poll(() => page.getByTestId('config-status').textContent(), SLOW).toContain('No problems');
    await page.getByTestId('config-save').click();
    const diff = page.getByTestId('config-diff');
    await expect.poll(() => diff.textContent(), SLOW).toContain('max_accel: 2500');
    expect(await diff.locator('.diff-del').textContent()).toContain('max_accel: 3000');
    await page.screenshot({ path: path.join(shotDir, 'ui-config-diff.png') });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => readFileSync(configPath, 'utf8'), SLOW).toContain('max_accel: 2500');
    const saved = readFileSync(configPath, 'utf8');
    expect(saved).not.toContain('max_accel: 3000');
    expect(saved.endsWith(SAVE_BLOCK)).toBe(true);
    await page.context().close();
  }, 120_000);
});
