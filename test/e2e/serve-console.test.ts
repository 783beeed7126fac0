// End to end: the real UI bundle served by `serve` mode, in Debian's Chromium, talking to a
// real host in a worker thread over the WebSocket. Types console commands and checks replies.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shotDir, SLOW, startBrowserSession, type BrowserSession } from '../support/browser-session';
import { toolsPresent } from '../support/tools';

const TEST_TIMEOUT_MS = 180_000;

describe.skipIf(!toolsPresent('chromium'))('UI in Chromium against serve mode', () => {
  let s: BrowserSession;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    s = await startBrowserSession({ name: 'console' });
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  async function open(scheme: 'light' | 'dark', locale = 'en-US'): Promise<Page> {
    const { page, errors } = await s.openPage({ colorScheme: scheme, locale, viewport: { width: 1280, height: 800 }, waitConnected: false });
    pageErrors = errors;
    return page;
  }

  it(
    'runs console commands typed in the UI and shows their replies',
    async () => {
      const page = await open('dark');
      await expect.poll(() => page.getByTestId('connection').textContent(), SLOW).toContain('Connected');
      await page.screenshot({ path: path.join(shotDir, 'dashboard-dark.png') });
      await page.getByRole('link', { name: 'Console' }).click();
      const input = page.getByTestId('console-input');
      await expect.poll(() => input.isEnabled(), SLOW).toBe(true);

      await input.fill('M118 hi');
      await input.press('Enter');
      const output = page.getByTestId('console-output');
      await expect.poll(() => output.textContent(), SLOW).toContain('echo: hi');

      await input.fill('HELP');
      await input.press('Enter');
      await expect.poll(() => output.textContent(), SLOW).toContain('Available extended commands');
      await expect.poll(() => output.textContent(), SLOW).toContain('RESPOND');

      await input.fill('NOT_A_COMMAND');
      await input.press('Enter');
      await expect.poll(() => output.textContent(), SLOW).toContain('Unknown command: "NOT_A_COMMAND"');

      // History: Up brings back the last command sent.
      await input.press('ArrowUp');
      expect(await input.inputValue()).toBe('NOT_A_COMMAND');
      await input.press('ArrowUp');
      expect(await input.inputValue()).toBe('HELP');
      // Tab completes from the host's command list (fetched once the host is ready).
      await expect
        .poll(async () => {
          await input.fill('RESP');
          await input.press('Tab');
          return input.inputValue();
        }, SLOW)
        .toBe('RESPOND ');
      await input.fill('');

      await page.screenshot({ path: path.join(shotDir, 'console-dark.png') });
      await page.context().close();
      expect(pageErrors).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'follows a Chinese system language and can switch to English',
    async () => {
      const page = await open('light', 'zh-CN');
      await expect.poll(() => page.getByTestId('connection').textContent(), SLOW).toContain('已连接');
      await page.getByRole('link', { name: '控制台' }).click();
      const input = page.getByTestId('console-input');
      await expect.poll(() => input.isEnabled(), SLOW).toBe(true);
      await input.fill('M118 你好');
      await input.press('Enter');
      await expect.poll(() => page.getByTestId('console-output').textContent(), SLOW).toContain('echo: 你好');
      await page.screenshot({ path: path.join(shotDir, 'console-zh-CN-light.png') });
      await page.getByLabel('语言').selectOption('en');
      await expect.poll(() => page.getByRole('link', { name: 'Console' }).count(), SLOW).toBe(1);
      await page.screenshot({ path: path.join(shotDir, 'console-en-light.png') });
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await expect.poll(() => page.getByTestId('host-message').textContent(), SLOW).toBe('Printer is ready');
      await page.screenshot({ path: path.join(shotDir, 'dashboard-light.png') });
      await page.getByRole('link', { name: 'Ports' }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'Serial ports' }).count(), SLOW).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(shotDir, 'ports-light.png') });
      await page.context().close();
      expect(pageErrors).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
