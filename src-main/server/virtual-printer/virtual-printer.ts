// The virtual printer port: a pty (made by socat) speaking the classic serial G-code dialogue,
// so OctoPrint, Pronterface or any sender can drive a Tether printer: `ok` after each command,
// N line numbers with * checksums (Resend: on a mismatch), Marlin-style M105 reports (from the
// extruder/heater_bed status), errors as `!!` lines followed by `Error:`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { GCodeDispatcher } from '../../host/gcode/dispatcher';
import { parseLine } from '../../host/gcode/parser';
import { statusOf } from '../../host/objects/status-objects';
import type { Printer } from '../../host/printer';

export class VirtualPrinterPort {
  private socat: ChildProcess | null = null;
  private port: SerialPort | null = null;
  private lastLine = 0;
  private buffer = '';
  private queue: Promise<void> = Promise.resolve();

  /** `path` is what the sender opens (e.g. /tmp/printer); the host side is `path`.host. */
  constructor(
    private readonly gcode: GCodeDispatcher,
    readonly path: string,
    private readonly printer: Printer | null = null,
  ) {}

  async start(): Promise<void> {
    const hostSide = `${this.path}.host`;
    for (const p of [this.path, hostSide]) if (existsSync(p)) rmSync(p);
    this.socat = spawn('socat', [`pty,raw,echo=0,link=${this.path}`, `pty,raw,echo=0,link=${hostSide}`], { stdio: 'ignore' });
    // A missing socat is an 'error' event; unhandled, it would end the host process.
    let failed: string | null = null;
    this.socat.once('error', (e) => (failed = `cannot run socat (${e.message}); install it (apt-get install socat)`));
    this.socat.once('exit', (code) => (failed ??= `socat exited (code ${code}) before creating ${this.path}`));
    const t0 = Date.now();
    while (!(existsSync(this.path) && existsSync(hostSide))) {
      if (failed) throw new Error(failed);
      if (Date.now() - t0 > 5000) throw new Error(`socat did not create the virtual printer pty ${this.path} within 5 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    this.port = new SerialPort({ path: hostSide, baudRate: 250000 });
    await new Promise<void>((res, rej) => this.port!.once('open', () => res()).once('error', rej));
    this.port.on('data', (d: Buffer) => this.onData(d.toString('latin1')));
    this.write('start');
  }

  private write(text: string): void {
    this.port?.write(text + '\n');
  }

  private onData(text: string): void {
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.search(/[\r\n]/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.queue = this.queue.then(() => this.handleLine(line));
    }
  }

  private resend(reason: string): void {
    this.write(`Error:${reason}, Last Line: ${this.lastLine}\nResend: ${this.lastLine + 1}\nok`);
  }

  private async handleLine(raw: string): Promise<void> {
    const p = parseLine(raw);
    if (p.lineNumber !== null) {
      if (p.checksum === null) return this.resend('No Checksum with line number');
      if (p.checksum !== p.computedChecksum) return this.resend('checksum mismatch');
      if (p.command === 'M110') {
        this.lastLine = p.lineNumber;
        return this.write('ok');
      }
      if (p.lineNumber !== this.lastLine + 1) return this.resend('Line Number is not Last Line Number+1');
      this.lastLine = p.lineNumber;
    } else if (p.command === 'M110') {
      this.lastLine = Number(p.params.N ?? 0);
      return this.write('ok');
    }
    if (p.command === 'M105') return this.write(this.temperatureReport());
    const out: string[] = [];
    const off = this.gcode.onResponse((_kind, t) => out.push(t));
    let failed: string | null = null;
    try {
      if (p.command) await this.gcode.run(p.text);
    } catch (e) {
      failed = e instanceof Error ? e.message : String(e);
    } finally {
      off();
    }
    // M105 answers "ok T:.." itself (Marlin's form); everything else gets its own "ok".
    const okDone = out.some((l) => l.startsWith('ok'));
    for (const l of out) this.write(l);
    if (failed !== null) this.write(`Error:${failed.split('\n')[0]}`);
    if (!okDone) this.write('ok');
  }

  /** Marlin's "ok T:210.0 /210.0 B:60.0 /60.0", from the extruder and heater_bed status. */
  private temperatureReport(): string {
    const parts: string[] = [];
    for (const [name, label] of [
      ['extruder', 'T'],
      ['heater_bed', 'B'],
    ] as const) {
      const st = this.printer ? statusOf(this.printer, name) : null;
      if (st) parts.push(`${label}:${Number(st.temperature ?? 0).toFixed(1)} /${Number(st.target ?? 0).toFixed(1)}`);
    }
    return `ok ${parts.join(' ') || 'T:0.0 /0.0'}`;
  }

  async stop(): Promise<void> {
    await this.queue.catch(() => undefined);
    await new Promise<void>((r) => (this.port?.isOpen ? this.port.close(() => r()) : r()));
    this.socat?.kill('SIGTERM');
  }
}
