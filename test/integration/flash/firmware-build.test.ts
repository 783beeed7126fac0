import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FirmwareBuilds, flattenImage, loadBoardCatalog, loadImage, type FirmwareBuildJobEvent, type FirmwareBuildResult } from '../../../src-main/flash';
import { HardwareServices } from '../../../src-main/api/hardware';
import { repoRoot, testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';

// The real firmware Makefile and compilers, driven through the build jobs the API uses: each
// build lands in its own folder under test-output, never in firmware/build.
const catalog = loadBoardCatalog();
const outputRoot = path.join(testOutputDir, `firmware-builds-${process.pid}`);

function runBuild(builds: FirmwareBuilds, boardId: string, onEvent?: (e: FirmwareBuildJobEvent, cancel: () => void) => void) {
  return new Promise<{ result?: FirmwareBuildResult; error?: { code: string; message: string; fix: string }; events: FirmwareBuildJobEvent[] }>((resolve, reject) => {
    const events: FirmwareBuildJobEvent[] = [];
    let buildId = '';
    const off = builds.onEvent((e) => {
      if (e.buildId !== buildId) return;
      events.push(e);
      onEvent?.(e, () => builds.cancel(buildId));
      if (e.type === 'done' || e.type === 'failed') {
        off();
        resolve(e.type === 'done' ? { result: e.result, events } : { error: e.error, events });
      }
    });
    try {
      buildId = builds.start(boardId).buildId;
    } catch (err) {
      off();
      reject(err);
    }
  });
}

function progressOf(events: FirmwareBuildJobEvent[]) {
  return events.flatMap((e) => (e.type === 'event' && e.event.type === 'progress' ? [e.event] : []));
}

describe.skipIf(!toolsPresent('make', 'avr-gcc', 'arm-none-eabi-gcc'))('building our firmware for a board', () => {
  const builds = new FirmwareBuilds(catalog, { sourceDir: path.join(repoRoot, 'firmware'), outputRoot, jobs: 2 });
  beforeAll(() => rmSync(outputRoot, { recursive: true, force: true }));

  it('builds the Uno (atmega328p) image: progress over make\'s steps, a live log, an image that fits with its vector table', async () => {
    const { result, error, events } = await runBuild(builds, 'arduino-uno');
    expect(error?.message).toBeUndefined();
    const r = result!;
    expect(r.dir.startsWith(outputRoot)).toBe(true);
    expect(path.basename(r.imagePath)).toBe('tether.hex');
    // Progress: from 0 up to the total make planned, never backwards.
    const progress = progressOf(events);
    const total = progress[0].totalSteps;
    expect(total).toBeGreaterThanOrEqual(4);
    expect(progress.map((p) => p.doneSteps)).toEqual([...progress.map((p) => p.doneSteps)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ doneSteps: total, totalSteps: total });
    expect(progress.some((p) => p.step.startsWith('avr-gcc'))).toBe(true);
    const log = events.flatMap((e) => (e.type === 'event' && e.event.type === 'log' ? [e.event.text] : []));
    expect(log.some((l) => /^make -C .* avr BUILD_DIR=.* MCU=atmega328p F_CPU=16000000/.test(l))).toBe(true);

    // The image: within the 328p's application room, the vector table in place.
    const flat = flattenImage(loadImage('tether.hex', readFileSync(r.imagePath), 0));
    expect(flat.address).toBe(0);
    expect(r.imageBytes).toBe(flat.data.length);
    expect(r.imageBytes).toBeGreaterThan(4000);
    expect(r.imageBytes).toBeLessThanOrEqual(32768 - 512);
    // 26 vectors of 4 bytes, each a jmp (0x940c) or, relaxed, an rjmp (0xcxxx); reset lands inside the image.
    const word = (at: number) => flat.data[at] | (flat.data[at + 1] << 8);
    for (let v = 0; v < 26; v++) {
      const w = word(v * 4);
      expect(w === 0x940c || (w & 0xf000) === 0xc000, `vector ${v}: 0x${w.toString(16)}`).toBe(true);
    }
    const reset = word(0);
    const resetTarget = reset === 0x940c ? word(2) * 2 : (1 + (((reset & 0xfff) << 20) >> 20)) * 2;
    expect(resetTarget).toBeGreaterThanOrEqual(26 * 4);
    expect(resetTarget).toBeLessThan(flat.data.length);
    // The dictionary the host checks the firmware against sits beside it.
    expect(JSON.parse(readFileSync(r.dictPath, 'utf8'))).toMatchObject({ app: 'Tether' });
    expect(existsSync(path.join(repoRoot, 'firmware/build', path.basename(r.dir)))).toBe(false);
  });

  it('builds the Creality 4.2.2 (STM32F103, 28 KiB bootloader) image linked at 0x08007000', async () => {
    const { result, error } = await runBuild(builds, 'creality-v4.2.2');
    expect(error?.message).toBeUndefined();
    const r = result!;
    expect(path.basename(r.imagePath)).toBe('tether.bin');
    const bin = readFileSync(r.imagePath);
    expect(r.imageBytes).toBe(bin.length);
    expect(bin.length).toBeGreaterThan(4000);
    expect(bin.length).toBeLessThanOrEqual(512 * 1024 - 28 * 1024);
    // Vector table: initial stack pointer at the top of the F103's 64 KiB RAM, reset handler
    // a Thumb address (odd) inside this image, which starts after the bootloader.
    const sp = bin.readUInt32LE(0);
    const reset = bin.readUInt32LE(4);
    expect(sp).toBe(0x20000000 + 64 * 1024);
    expect(reset & 1).toBe(1);
    expect(reset & ~1).toBeGreaterThanOrEqual(0x08007000);
    expect(reset & ~1).toBeLessThan(0x08007000 + bin.length);
    // Other handlers point into the image too.
    for (let v = 2; v < 16; v++) {
      const h = bin.readUInt32LE(v * 4);
      if (h !== 0) expect(h & ~1, `vector ${v}`).toBeGreaterThanOrEqual(0x08007000);
    }
    // It talks at the catalog's baud for this board (the port is opened at that baud to identify it).
    expect(JSON.parse(readFileSync(r.dictPath, 'utf8')).config.SERIAL_BAUD).toBe(115200);
  });

  it('cancels a running build and removes its folder; the API offers finished builds as images', async () => {
    let dir = '';
    const { error, events } = await runBuild(builds, 'sanguinololu-644p', (e, cancel) => {
      if (e.type === 'event' && e.event.type === 'log' && !dir) {
        const m = /BUILD_DIR=(\S+)/.exec(e.event.text);
        if (m) {
          dir = m[1];
          cancel();
        }
      }
    });
    expect(error?.code).toBe('cancelled');
    expect(events.some((e) => e.type === 'done')).toBe(false);
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);

    const hw = new HardwareServices({ buildOutputDir: outputRoot, firmwareSourceDir: path.join(repoRoot, 'firmware') });
    try {
      const images = hw.images('arduino-uno');
      expect(images[0]).toMatchObject({ source: 'built', path: expect.stringMatching(/arduino-uno-.*tether\.hex$/) });
      expect(hw.images('sanguinololu-644p').filter((i) => i.id.startsWith('build-'))).toEqual([]);
      expect(hw.buildStatus('arduino-uno')).toMatchObject({ buildable: true, target: 'avr' });
      expect(hw.buildStatus('btt-skr-pico')).toMatchObject({ buildable: false, problems: [{ code: 'no-firmware' }] });
    } finally {
      hw.close();
    }
  });
});
