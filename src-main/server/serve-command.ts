// `tether serve`: the host(s) plus the UI and API over HTTP/WebSocket, no Electron needed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command';
import { createAppServices } from '../app/services';
import type { PrinterFleet } from '../host/worker/fleet';
import { APP_VERSION } from '../app/version';
import { defaultDataDir } from './data-dir';
import { startServer, type RunningServer } from './serve';

export const DEFAULT_SERVE_PORT = 7130;

export interface ServeSession {
  server: RunningServer;
  fleet: PrinterFleet;
  stop(): Promise<void>;
}

export interface ServeSessionOptions {
  host?: string;
  port?: number;
  token?: string;
  dataDir: string;
  uiDir: string;
  configPath?: string | null;
  allowedOrigins?: string[];
  /** The caller's import.meta.url, to find the host worker next to a built entry. */
  entryUrl: string;
  log?: (message: string) => void;
  /** The sim executable for the default simulated printer (tests; default: the checkout's build). */
  simBinary?: string;
  /** First start without --config: create "Simulated printer" and run its sim (the CLI does; default off). */
  simulatedPrinter?: boolean;
}

/** Starts fleet + server; used by the CLI and by tests (in-process, on a free port). */
export async function startServeSession(o: ServeSessionOptions): Promise<ServeSession> {
  const log = o.log ?? ((m: string) => console.error(m));
  const services = createAppServices({
    dataDir: o.dataDir,
    entryUrl: o.entryUrl,
    configPath: o.configPath ?? null,
    simBinary: o.simBinary,
    simulatedPrinter: o.simulatedPrinter ?? false,
    appInfo: { appVersion: APP_VERSION, mode: 'serve', platform: process.platform, dataDir: o.dataDir },
    log,
  });
  const { fleet, backend } = services;
  let server: RunningServer;
  try {
    server = await startServer({
      backend,
      uiDir: o.uiDir,
      host: o.host,
      port: o.port,
      token: o.token,
      allowedOrigins: o.allowedOrigins,
      log: o.log,
    });
  } catch (e) {
    await services.stop();
    throw e;
  }
  // The server starts (and checks its bind rules) before any host, so a refused bind starts nothing.
  try {
    await services.start();
  } catch (e) {
    await server.close();
    await services.stop();
    throw e;
  }
  return {
    server,
    fleet,
    async stop() {
      await server.close();
      await services.stop();
    },
  };
}

/** out/renderer beside this checkout or build: from src-main/ (tsx) or out/main/ (built). */
export function defaultUiDir(entryUrl: string): string {
  const dir = path.dirname(fileURLToPath(entryUrl));
  const candidates = [path.resolve(dir, '../out/renderer'), path.resolve(dir, '../renderer')];
  return candidates.find((c) => existsSync(path.join(c, 'index.html'))) ?? candidates[0];
}

const usage = `Usage: tether serve [options]

Runs the printer host(s) and serves the Tether UI and API for a web browser.

Options:
  --host <address>     Address to bind (default 127.0.0.1). Anything other than a loopback
                       address requires --token.
  --port <n>           Port (default ${DEFAULT_SERVE_PORT}; 0 picks a free one).
  --token <secret>     Token browsers must present (>= 16 characters; or env TETHER_TOKEN).
  --data-dir <dir>     Where printers.json and host logs live (default ${defaultDataDir()}).
  --config <file>      printer.cfg for the first printer, when none is set up yet
                       (without it, the first start creates "Simulated printer").
  --ui-dir <dir>       Built renderer folder (default out/renderer; build with npm run build:renderer).
  --allow-origin <url> Another origin allowed to open the API WebSocket (repeatable).
  -h, --help           Show this help.`;

export function serveCommand(entryUrl: string): CliCommand {
  return {
    name: 'serve',
    summary: 'Run the host and serve the UI + API over HTTP/WebSocket (for a browser)',
    usage,
    async run(args) {
      let values;
      try {
        ({ values } = parseArgs({
          args,
          options: {
            host: { type: 'string' },
            port: { type: 'string' },
            token: { type: 'string' },
            'data-dir': { type: 'string' },
            config: { type: 'string' },
            'ui-dir': { type: 'string' },
            'allow-origin': { type: 'string', multiple: true },
            help: { type: 'boolean', short: 'h' },
          },
          strict: true,
        }));
      } catch (e) {
        console.error(`tether serve: ${e instanceof Error ? e.message : e}\n\n${usage}`);
        return 2;
      }
      if (values.help) {
        console.log(usage);
        return 0;
      }
      const port = values.port === undefined ? DEFAULT_SERVE_PORT : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`tether serve: --port '${values.port}' is not a port number (0-65535)`);
        return 2;
      }
      const uiDir = path.resolve(values['ui-dir'] ?? defaultUiDir(entryUrl));
      if (!existsSync(path.join(uiDir, 'index.html'))) {
        console.error(`tether serve: no built UI in ${uiDir}; run \`npm run build:renderer\` first (npm run serve does).`);
        return 1;
      }
      const configPath = values.config ? path.resolve(values.config) : null;
      if (configPath && !existsSync(configPath)) {
        console.error(`tether serve: --config ${configPath} does not exist`);
        return 1;
      }
      const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
      let session: ServeSession;
      try {
        session = await startServeSession({
          host: values.host,
          port,
          token: values.token ?? process.env.TETHER_TOKEN,
          dataDir,
          uiDir,
          configPath,
          allowedOrigins: values['allow-origin'],
          entryUrl,
          // With no printer yet, the first start creates the simulated printer (TETHER_SIM_PRINTER=0: don't).
          simulatedPrinter: process.env.TETHER_SIM_PRINTER !== '0',
        });
      } catch (e) {
        console.error(`tether serve: ${e instanceof Error ? e.message : e}`);
        return 1;
      }
      console.log(`Tether ${APP_VERSION} serving ${session.server.url}`);
      console.log(`Data: ${dataDir} (host logs in printers/<id>/host.log). Ctrl+C stops.`);
      await new Promise<void>((resolve) => {
        const onSignal = (): void => resolve();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      });
      console.log('Stopping…');
      await session.stop();
      return 0;
    },
  };
}
