// One Chromium end-to-end set-up for every e2e file: a private copy of the built UI, `serve`
// mode in this process on a free port with its own data folder, and Debian's Chromium through
// playwright-core. Files open pages with `openPage` and stop everything with `close`.
//
//   let s: BrowserSession;
//   beforeAll(async () => (s = await startBrowserSession({ name: 'health' })), 120_000);
//   afterAll(() => s?.close());
//   const page = await s.openPage({ hash: 'console' });   // waits for 'Connected'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startServeSession, type ServeSession, type ServeSessionOptions } from '../../src-main/server/serve-command';
import { snapshotUi } from '../integration/serve/ui-snapshot';
import { repoRoot, testOutputDir } from './paths';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Headless, no sandbox (containers), software GL (WebGL via SwiftShader), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
/** Where e2e screenshots go. */
export const shotDir = path.join(testOutputDir, 'e2e');
/** Generous waits: hosts start in child processes and CI machines may be busy. */
export const SLOW = { timeout: 30_000, interval: 100 };

export interface BrowserSessionOptions {
  /** Names the temporary data folder (tether-e2e-<name>-XXXX). */
  name: string;
  /**
   * Runs with the fresh data folder before serve starts (copy a printer.cfg in, start a pty...);
   * what it returns is merged into the serve options (e.g. { configPath }).
   */
  prepare?: (dataDir: string) => Partial<ServeSessionOptions> | void | Promise<Partial<ServeSessionOptions> | void>;
  /** Serve's log lines (default: dropped). */
  log?: (message: string) => void;
}

export interface OpenPageOptions {
  /** Panel to open (#/<hash>); default the dashboard. */
  hash?: string;
  colorScheme?: 'light' | 'dark';
  /** Browser language, e.g. 'zh-CN' (default en-US). */
  locale?: string;
  viewport?: { width: number; height: number };
  /** Wait until the status bar says the API is connected (default true; English UI only). */
  waitConnected?: boolean;
  context?: BrowserContextOptions;
}

export interface BrowserSession {
  session: ServeSession;
  browser: Browser;
  dataDir: string;
  /** The serve URL (http://127.0.0.1:<port>/). */
  url: string;
  /**
   * A new page in its own context; `errors` collects page errors and console errors (assert it
   * is empty at the end of a test). Close it with page.context().close().
   */
  openPage(options?: OpenPageOptions): Promise<{ page: Page; errors: string[] }>;
  /** Browser, serve session, data folder and UI copy, in that order. */
  close(): Promise<void>;
}

export async function startBrowserSession(o: BrowserSessionOptions): Promise<BrowserSession> {
  mkdirSync(shotDir, { recursive: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `tether-e2e-${o.name}-`));
  let ui: { dir: string; remove(): void } | undefined;
  let session: ServeSession | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await session?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    ui?.remove();
  };
  try {
    const extra = (await o.prepare?.(dataDir)) ?? {};
    ui = await snapshotUi();
    session = await startServeSession({
      port: 0,
      dataDir,
      uiDir: ui.dir,
      entryUrl: pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href,
      log: o.log ?? (() => undefined),
      ...extra,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  } catch (e) {
    await close();
    throw e;
  }
  const started = { session, browser };
  return {
    ...started,
    dataDir,
    url: session.server.url,
    async openPage(p = {}) {
      const errors: string[] = [];
      const context = await started.browser.newContext({
        colorScheme: p.colorScheme ?? 'light',
        locale: p.locale ?? 'en-US',
        viewport: p.viewport ?? { width: 1280, height: 860 },
        ...p.context,
      });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
      });
      await page.goto(p.hash ? `${started.session.server.url}#/${p.hash}` : started.session.server.url);
      if (p.waitConnected ?? true) await expect.poll(() => page.getByTestId('connection').textContent(), SLOW).toContain('Connected');
      return { page, errors };
    },
    close,
  };
}
