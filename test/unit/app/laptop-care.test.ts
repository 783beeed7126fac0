// Laptop care with Electron's power APIs and dialogs faked: the power-save blocker is held while
// any printer prints and released after, battery changes reach listeners, the quit warning asks
// only when a print would be interrupted, and the desktop dialogs save/choose files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { PowerInfo } from '../../../src-main/api/contract';
import { confirmQuitWhilePrinting, createDesktopServices } from '../../../src-main/app/desktop';
import { LaptopCare, printingPrinters } from '../../../src-main/app/laptop-care';
import { mainStrings, mainStringsFor } from '../../../src-main/app/strings';
import type { PrinterFleet } from '../../../src-main/host/worker/fleet';

function fakePower(onBattery = false) {
  const listeners = new Map<string, () => void>();
  const held = new Set<number>();
  const starts: string[] = [];
  let next = 1;
  return {
    held,
    starts,
    powerSaveBlocker: {
      start(type: 'prevent-app-suspension' | 'prevent-display-sleep') {
        starts.push(type);
        held.add(next);
        return next++;
      },
      stop: (id: number) => void held.delete(id),
    },
    powerMonitor: {
      isOnBatteryPower: () => onBattery,
      on: (event: 'on-battery' | 'on-ac', l: () => void) => listeners.set(event, l),
    },
    fire: (event: string) => listeners.get(event)?.(),
  };
}

describe('LaptopCare', () => {
  it('holds one prevent-app-suspension blocker while any printer prints, and releases it after', async () => {
    const power = fakePower();
    let printing: string[] = [];
    const care = new LaptopCare({ powerSaveBlocker: power.powerSaveBlocker, powerMonitor: power.powerMonitor, printing: async () => printing, pollMs: 60_000 });
    const seen: PowerInfo[] = [];
    care.onChange((i) => seen.push(i));
    care.start();
    await care.refresh();
    expect(power.held.size).toBe(0);
    expect(care.info()).toEqual({ supported: true, onBattery: false, keepingAwake: false, printing: [] });

    printing = ['voron'];
    await care.refresh();
    printing = ['voron', 'ender'];
    await care.refresh();
    expect(power.starts.filter((t) => t === 'prevent-app-suspension')).toHaveLength(1);
    expect(power.held.size).toBe(1);
    expect(care.info()).toMatchObject({ keepingAwake: true, printing: ['voron', 'ender'] });

    printing = [];
    await care.refresh();
    expect(power.held.size).toBe(0);
    expect(care.info().keepingAwake).toBe(false);
    expect(seen.map((i) => i.printing.length)).toEqual([1, 2, 0]);
    care.stop();
  });

  it('reports battery changes from powerMonitor', async () => {
    const power = fakePower(true);
    const care = new LaptopCare({ powerMonitor: power.powerMonitor, powerSaveBlocker: { start: () => 1, stop: () => undefined }, printing: async () => [], pollMs: 60_000 });
    const seen: boolean[] = [];
    care.onChange((i) => seen.push(i.onBattery));
    care.start();
    expect(care.info().onBattery).toBe(true);
    power.fire('on-ac');
    power.fire('on-ac'); // no change, no event
    power.fire('on-battery');
    expect(seen).toEqual([false, true]);
    care.stop();
  });

  it('keeps the blocker when the printing check fails, and stop() releases it', async () => {
    const stop = vi.fn();
    let fail = false;
    const care = new LaptopCare({
      powerMonitor: fakePower().powerMonitor,
      powerSaveBlocker: { start: () => 7, stop },
      printing: async () => {
        if (fail) throw new Error('host busy');
        return ['p'];
      },
      pollMs: 60_000,
    });
    await care.refresh();
    fail = true;
    await care.refresh();
    expect(stop).not.toHaveBeenCalled();
    care.stop();
    expect(stop).toHaveBeenCalledWith(7);
  });
});

describe('printingPrinters', () => {
  it('counts printers whose print_stats say printing or paused, skipping stopped or failing hosts', async () => {
    const states: Record<string, { running: boolean; state?: string; fail?: boolean }> = {
      a: { running: true, state: 'printing' },
      b: { running: true, state: 'paused' },
      c: { running: true, state: 'complete' },
      d: { running: false, state: 'printing' },
      e: { running: true, fail: true },
    };
    const fleet = {
      list: () => Object.keys(states).map((id) => ({ id })),
      get: (id: string) => ({
        thread: {
          running: states[id].running,
          call: async () => {
            if (states[id].fail) throw new Error('no');
            return { eventtime: 0, status: { print_stats: { state: states[id].state } } };
          },
        },
      }),
    } as unknown as PrinterFleet;
    expect(await printingPrinters(fleet)).toEqual(['a', 'b']);
  });
});

describe('quit warning', () => {
  it('asks only when a print would be interrupted, and quits only on the explicit choice', () => {
    const calls: { message: string; buttons: string[]; cancelId: number }[] = [];
    let answer = 0;
    const dialog = {
      showMessageBoxSync: ((opts: { message: string; buttons: string[]; cancelId: number }) => {
        calls.push(opts);
        return answer;
      }) as never,
    };
    expect(confirmQuitWhilePrinting(dialog, null, [], mainStrings.en)).toBe(true);
    expect(calls).toHaveLength(0);
    expect(confirmQuitWhilePrinting(dialog, null, ['Voron'], mainStrings.en)).toBe(false);
    expect(calls[0].message).toBe('Quitting now stops the print on Voron.');
    expect(calls[0].buttons[calls[0].cancelId]).toBe('Keep printing');
    answer = 1;
    expect(confirmQuitWhilePrinting(dialog, null, ['Voron'], mainStringsFor('zh-CN'))).toBe(true);
    expect(calls[1].message).toContain('Voron');
    expect(calls[1].buttons).toEqual(['继续打印', '退出并停止打印']);
  });

  it('has every main-process string in both languages', () => {
    expect(Object.keys(mainStrings['zh-CN']).sort()).toEqual(Object.keys(mainStrings.en).sort());
    expect(mainStringsFor('zh-Hans-CN')).toBe(mainStrings['zh-CN']);
    expect(mainStringsFor('de-DE')).toBe(mainStrings.en);
  });
});

describe('desktop dialogs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-desktop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const care = new LaptopCare({ powerMonitor: fakePower().powerMonitor, powerSaveBlocker: { start: () => 1, stop: () => undefined }, printing: async () => [] });

  it('saves the archive where the user chose, and nothing when cancelled', async () => {
    const target = path.join(dir, 'diag.tar.gz');
    let cancel = false;
    const dialog = {
      showSaveDialog: (async (opts: { defaultPath: string }) => {
        expect(path.basename(opts.defaultPath)).toBe('x.tar.gz');
        return cancel ? { canceled: true } : { canceled: false, filePath: target };
      }) as never,
      showOpenDialog: (async () => ({ canceled: false, filePaths: ['/etc/printer.cfg'] })) as never,
    };
    const desktop = createDesktopServices({ dialog, care, window: () => null, strings: mainStrings.en, downloadsDir: dir });
    expect(await desktop.saveFile('x.tar.gz', Buffer.from('abc'))).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('abc');
    cancel = true;
    expect(await desktop.saveFile('x.tar.gz', Buffer.from('zzz'))).toBeNull();
    expect(readFileSync(target, 'utf8')).toBe('abc');
    expect(await desktop.pickConfigFile()).toBe('/etc/printer.cfg');
    expect(desktop.power()).toMatchObject({ supported: true });
  });
});
