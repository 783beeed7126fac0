// Host process entry: runs one printer's Host off the UI process and talks to its HostThread
// through IPC messages. Built as its own entry (out/main/host-worker.js); under tsx/vitest the
// parent starts this .ts file with tsx's loader.
import { Host, HOST_VERSION } from '../host';
import { HOST_DATA_ENV, type FromWorker, type HostWorkerData, type ToWorker, type WorkerErrorKind, type WorkerOps } from './messages';

if (!process.send) throw new Error('host-worker.ts must be started by HostThread (child process with IPC)');
const data = JSON.parse(process.env[HOST_DATA_ENV] ?? '{}') as HostWorkerData;

function post(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

// The parent is gone (app quit or crashed): a host must not keep a printer running unattended.
process.on('disconnect', () => {
  void (async () => {
    try {
      await host?.stop();
    } finally {
      process.exit(0);
    }
  })();
});

let host: Host | null = null;

class StillStarting extends Error {}

async function handle(op: string, args: unknown): Promise<unknown> {
  if (!host) throw new StillStarting('The host is still starting');
  switch (op) {
    case 'gcode.run': {
      const { script } = args as WorkerOps['gcode.run']['args'];
      // Echo what was sent, so every window watching this printer sees who asked for what.
      post({ type: 'console', kind: 'command', text: script, timeMs: Date.now() });
      await host.gcode.run(script);
      return { done: true };
    }
    case 'gcode.commands':
      return host.gcode.listCommands();
    default:
      throw new Error(`Unknown worker operation '${op}'`);
  }
}

function errorKind(e: unknown): WorkerErrorKind {
  if (e instanceof StillStarting) return 'starting';
  return e instanceof Error && e.name === 'GCodeError' ? 'gcode' : 'internal';
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    void (async () => {
      try {
        await host?.stop();
      } finally {
        post({ type: 'stopped' });
      }
    })();
    return;
  }
  handle(msg.op, msg.args).then(
    (result) => post({ type: 'reply', id: msg.id, ok: true, result }),
    (e: unknown) =>
      post({
        type: 'reply',
        id: msg.id,
        ok: false,
        // A G-code failure is a normal outcome the console already shows; anything else is a bug.
        error: { kind: errorKind(e), message: e instanceof Error ? e.message : String(e) },
      }),
  );
});

async function start(): Promise<void> {
  post({ type: 'hello', hostVersion: HOST_VERSION });
  post({ type: 'state', state: 'starting', message: 'Printer is starting' });
  try {
    const started = await Host.start({ configPath: data.configPath ?? undefined });
    started.gcode.onResponse((kind, text) => post({ type: 'console', kind, text, timeMs: Date.now() }));
    started.printer.on('printer:state', (state, message) => post({ type: 'state', state, message }));
    host = started;
    post({ type: 'state', state: started.printer.state, message: started.printer.stateMessage });
  } catch (e) {
    post({ type: 'state', state: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  // Start-up is done even when the MCU is still connecting (the state says so): the parent
  // must not wait for a board that may take long or never answer.
  post({ type: 'started' });
}

void start();
