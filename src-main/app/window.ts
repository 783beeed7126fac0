// The one app window, locked down: the renderer is our own bundle loaded from disk, with no
// Node, no Electron, a sandbox, a strict CSP, and no way to navigate away or open windows.
import { isAppPage } from './ipc';
import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from './security';

export interface MainWindowOptions {
  preloadPath: string;
  indexHtmlPath: string;
  log: (message: string) => void;
}

export const WINDOW_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** Sets the CSP header on every response of the default session (file:// pages use the meta tag too). */
export function applySessionPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The UI needs no camera, microphone, notifications, … : deny every permission request.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

/** Denies navigation and new windows; http(s) links the user clicks open in the system browser. */
export function lockNavigation(contents: WebContents, appUrl: string, log: (m: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppPage(url, appUrl)) return; // a reload of our own page
    event.preventDefault();
    log(`blocked navigation to ${url}`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    log(`blocked redirect to ${url}`);
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    else log(`blocked new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked a <webview>');
  });
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Tether',
    backgroundColor: '#15171c',
    webPreferences: { ...WINDOW_WEB_PREFERENCES, preload: options.preloadPath },
  });
  const appUrl = pathToFileURL(options.indexHtmlPath).href;
  lockNavigation(win.webContents, appUrl, options.log);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(options.indexHtmlPath);
  return win;
}
