// Export diagnostics and the log view: the tar writer makes archives `tar` itself reads (names,
// long paths, contents), host log lines get levels, [include] files are found as the host reads
// them, and a real fleet's export holds the log, config, versions and MCU/host stats.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { includesOf, withMcuSerial } from '../../../src-main/api/config-files';
import { buildDiagnostics, diagnosticsFileName, healthOf } from '../../../src-main/api/diagnostics';
import { mcuHealthOf } from '../../../src-main/host/diagnostics/health';
import { levelOf, parseHostLog, readHostLog, readTail } from '../../../src-main/host/diagnostics/host-log';
import { tarGzOf } from '../../../src-main/host/diagnostics/tar';
import { PrinterFleet } from '../../../src-main/host/worker/fleet';
import { hostWorkerEntry } from '../../../src-main/host/worker/host-thread';
import { toolsPresent } from '../../support/tools';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-diag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tarList = (file: string) => execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
const tarRead = (file: string, name: string) => execFileSync('tar', ['-xzOf', file, name], { encoding: 'utf8' });

describe.skipIf(!toolsPresent('tar'))('tar writer', () => {
  it('writes a .tar.gz that tar lists and extracts, long names included', () => {
    const long = `printers/${'a'.repeat(60)}/${'b'.repeat(60)}/host.log`;
    const file = path.join(dir, 'a.tar.gz');
    const big = 'x'.repeat(1500);
    writeFileSync(file, tarGzOf([{ name: 'README.txt', data: 'hello\n' }, { name: long, data: big }, { name: 'empty', data: '' }, { name: 'zh.txt', data: '打印机' }]));
    expect(tarList(file)).toEqual(['README.txt', long, 'empty', 'zh.txt']);
    expect(tarRead(file, 'README.txt')).toBe('hello\n');
    expect(tarRead(file, long)).toBe(big);
    expect(tarRead(file, 'zh.txt')).toBe('打印机');
  });

  it('refuses absolute or escaping names', () => {
    expect(() => tarGzOf([{ name: '/etc/passwd', data: '' }])).toThrow(/relative/);
    expect(() => tarGzOf([{ name: 'a/../../b', data: '' }])).toThrow(/relative/);
  });
});

describe('host log', () => {
  it('gives each entry a level and keeps multi-line entries together', () => {
    const text = [
      '2026-11-26T10:00:00.000Z host 0.1.0 (printer printer-1)',
      '2026-11-26T10:00:01.000Z state starting: Printer is starting',
      '2026-11-26T10:00:02.000Z raw: ok',
      '2026-11-26T10:00:03.000Z error: Lost communication with MCU',
      'second line of that error',
      '2026-11-26T10:00:04.000Z state shutdown: Shutdown due to M112 command',
      '2026-11-26T10:00:05.000Z host exited unexpectedly (signal SIGKILL)',
      '',
    ].join('\n');
    const lines = parseHostLog(text);
    expect(lines.map((l) => l.level)).toEqual(['info', 'info', 'debug', 'error', 'warning', 'error']);
    expect(lines[3].text).toBe('error: Lost communication with MCU\nsecond line of that error');
    expect(lines[0].time).toBe('2026-11-26T10:00:00.000Z');
    expect(levelOf('command: G28')).toBe('info');
  });

  it('reads only the end of a long log, starting at a whole line', () => {
    const file = path.join(dir, 'host.log');
    const rows = Array.from({ length: 200 }, (_, i) => `2026-11-26T10:00:00.000Z info: line ${i}`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    const tail = readTail(file, 1000);
    expect(tail.truncated).toBe(true);
    expect(tail.text.split('\n')[0]).toMatch(/^2026-11-26T10:00:00.000Z info: line \d+$/);
    expect(tail.text.trim().split('\n').at(-1)).toContain('line 199');
    const view = readHostLog(file, 10);
    expect(view.lines).toHaveLength(10);
    expect(view.lines[9].text).toBe('info: line 199');
    expect(view.truncated).toBe(true);
    expect(readHostLog(path.join(dir, 'missing.log')).lines).toEqual([]);
  });
});

describe('config [include] files', () => {
  it('lists included files with the line that named them, globs resolved relative to the including file', () => {
    const cfgDir = path.join(dir, 'cfg');
    mkdirSync(path.join(cfgDir, 'macros'), { recursive: true });
    writeFileSync(path.join(cfgDir, 'printer.cfg'), '[include macros/*.cfg]\n[mcu]\nserial: /dev/null\n\n[include extra.cfg]\n');
    writeFileSync(path.join(cfgDir, 'macros', 'a.cfg'), '[gcode_macro A]\ngcode:\n  M118 a\n[include ../nested.cfg]\n');
    writeFileSync(path.join(cfgDir, 'macros', 'b.cfg'), '[gcode_macro B]\ngcode:\n  M118 b\n');
    writeFileSync(path.join(cfgDir, 'extra.cfg'), '# extra\n');
    writeFileSync(path.join(cfgDir, 'nested.cfg'), '# nested\n');
    const inc = includesOf(path.join(cfgDir, 'printer.cfg'));
    const rel = (p: string) => path.relative(cfgDir, p);
    expect(inc.map((i) => [rel(i.path), i.pattern, rel(i.fromFile), i.fromLine])).toEqual([
      ['macros/a.cfg', 'macros/*.cfg', 'printer.cfg', 1],
      ['nested.cfg', '../nested.cfg', 'macros/a.cfg', 4],
      ['macros/b.cfg', 'macros/*.cfg', 'printer.cfg', 1],
      ['extra.cfg', 'extra.cfg', 'printer.cfg', 5],
    ]);
  });

  it('sets [mcu] serial for a printer made for a port', () => {
    expect(withMcuSerial('[printer]\nkinematics: none\n[mcu]\nserial: /tmp/old\nbaud: 250000\n', '/dev/ttyACM0')).toBe(
      '[printer]\nkinematics: none\n[mcu]\nserial: /dev/ttyACM0\nbaud: 250000\n',
    );
    expect(withMcuSerial('[mcu]\nbaud: 250000\n', '/dev/ttyUSB1')).toBe('[mcu]\nserial: /dev/ttyUSB1\nbaud: 250000\n');
    expect(withMcuSerial('[printer]\n', '/dev/x')).toBe('[mcu]\nserial: /dev/x\n\n[printer]\n');
  });
});

describe('MCU health', () => {
  it('maps the MCU status (last_stats) to the health figures, drift against CLOCK_FREQ', () => {
    const h = mcuHealthOf({
      name: 'mcu',
      state: 'ready',
      shutdownReason: null,
      mcuVersion: 'v1-tether',
      mcuBuildVersions: 'gcc 12',
      mcuConstants: { CLOCK_FREQ: 16000000 },
      lastStats: { mcuAwake: 0.02, mcuTaskAvg: 1e-5, mcuTaskStddev: 2e-6, bytesWrite: 100, bytesRead: 200, bytesRetransmit: 9, bytesInvalid: 3, retransmits: 1, sendSeq: 50, receiveSeq: 49, srttS: 0.002, freq: 16000160, clockDriftPpm: 10, invalidMessages: 0 },
    } as never);
    expect(h).toMatchObject({ version: 'v1-tether', awake: 0.02, bytesRetransmit: 9, sendSeq: 50, receiveSeq: 49, srttS: 0.002, freqHz: 16000160, configuredFreqHz: 16000000, clockDriftPpm: 10 });
  });
});

describe('diagnostics from a running fleet', () => {
  it('samples host process health and exports one archive with log, config, versions and stats', { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, 'data');
    const configPath = path.join(dir, 'fleet-printer.cfg');
    writeFileSync(configPath, '[include fleet-macros.cfg]\n[printer]\nkinematics: none\n');
    writeFileSync(path.join(dir, 'fleet-macros.cfg'), '[gcode_macro HELLO]\ngcode:\n  M118 hello\n');
    const fleet = new PrinterFleet({ dataDir, workerEntry: hostWorkerEntry(import.meta.url), defaultConfigPath: null });
    try {
      await fleet.start();
      const id = fleet.list()[0].id;
      const health = await healthOf(id, fleet.get(id).thread);
      expect(health.host?.pid).toBeGreaterThan(0);
      expect(health.host?.pid).not.toBe(process.pid); // the host's own process, not ours
      expect(health.host?.rssBytes).toBeGreaterThan(1e6);
      expect(health.mcu).toBeNull(); // no [mcu]: nothing to measure, and the note says why
      expect(health.note).toBeTruthy();

      const added = await fleet.add('Second', configPath);
      const appInfo = { appVersion: '9.9.9', mode: 'serve' as const, platform: 'linux', dataDir };
      const { fileName, entries, archive } = await buildDiagnostics({ fleet, appInfo });
      expect(fileName).toMatch(/^tether-diagnostics-\d{8}-\d{6}\.tar\.gz$/);
      const file = path.join(dir, fileName);
      writeFileSync(file, archive);
      const listed = tarList(file);
      expect(listed).toEqual(entries);
      expect(listed).toEqual(
        expect.arrayContaining([
          'README.txt',
          'versions.json',
          `printers/${id}/host.log`,
          `printers/${id}/mcu-stats.json`,
          `printers/${added.id}/printer.cfg`,
          `printers/${added.id}/includes/fleet-macros.cfg`,
        ]),
      );
      expect(listed.slice(0, 2)).toEqual(['README.txt', 'versions.json']);
      const versions = JSON.parse(tarRead(file, 'versions.json'));
      expect(versions).toMatchObject({ app: '9.9.9', node: process.versions.node });
      expect(versions.printers[id].host).toBeTruthy();
      expect(tarRead(file, `printers/${id}/host.log`)).toContain('state ready');
      expect(tarRead(file, `printers/${added.id}/printer.cfg`)).toBe(readFileSync(configPath, 'utf8'));
      expect(JSON.parse(tarRead(file, `printers/${id}/mcu-stats.json`)).host.pid).toBe(health.host?.pid);
      // One printer only when asked.
      const one = await buildDiagnostics({ fleet, appInfo, printerId: added.id });
      expect(one.entries.filter((e) => e.startsWith('printers/')).every((e) => e.startsWith(`printers/${added.id}/`))).toBe(true);
    } finally {
      await fleet.stopAll();
    }
    expect(diagnosticsFileName(new Date('2026-01-02T03:04:05.678Z'))).toBe('tether-diagnostics-20260102-030405.tar.gz');
  });
});
