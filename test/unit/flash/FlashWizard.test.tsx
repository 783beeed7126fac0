// @vitest-environment happy-dom
// The wizard wired to the real flashing service (FlashJobs) in this process: it flashes a
// simulated Uno running optiboot, and writes an SD-card update into a folder standing in for
// the card. The client object is the seam the app API fills in later.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlashJobs, listRemovableDrives, loadBoardCatalog } from '../../../src-main/flash';
import { FlashWizard } from '../../../src-renderer/features/flash/FlashWizard';
import type { FlashClient, ImageChoice, PortInfo } from '../../../src-renderer/features/flash/client';
import { useFlashWizard } from '../../../src-renderer/features/flash/store';
import { testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { buildSimBoardTools, simBuild, startSimBoard, waitForUart, type SimBoard } from '../../integration/flash/sim-board';
import { initFeatureI18n } from './i18n-for-tests';

function realClient(options: { ports?: PortInfo[]; driveRoot?: string; images?: ImageChoice[] }): FlashClient {
  const jobs = new FlashJobs();
  const catalog = loadBoardCatalog();
  return {
    listBoards: async () => catalog.boards,
    listPorts: async () => options.ports ?? [],
    listDrives: async () => (options.driveRoot ? listRemovableDrives([options.driveRoot]) : []),
    listImages: async () => options.images ?? [],
    start: async (request) => jobs.start(request),
    cancel: async (jobId) => void jobs.cancel(jobId),
    onEvent: (listener) => jobs.onEvent(listener),
  };
}

async function renderWizard(client: FlashClient, lng: 'en' | 'zh-CN' = 'en') {
  const i18n = await initFeatureI18n('flash', lng);
  render(
    <I18nextProvider i18n={i18n}>
      <FlashWizard client={client} />
    </I18nextProvider>,
  );
}

afterEach(() => {
  cleanup();
  act(() => useFlashWizard.getState().reset());
});

describe('flash wizard', () => {
  it('writes an SD-card update for an Ender-3 S1 with the board\'s file rules', async () => {
    const root = path.join(testOutputDir, `wizard-media-${process.pid}`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(path.join(root, 'PRINTER_SD'), { recursive: true });
    await renderWizard(realClient({ driveRoot: root }));

    fireEvent.change(await screen.findByLabelText('Search'), { target: { value: 'S1' } });
    fireEvent.click(screen.getByRole('button', { name: /Ender-3 S1/ }));
    expect(screen.getByText(/STM32F4_UPDATE\/firmware.bin on the card/)).toBeTruthy();
    const content = Uint8Array.from({ length: 3000 }, (_, i) => (i * 3) & 0xff);
    const file = new File([content], 'klipper.bin');
    fireEvent.change(screen.getByLabelText(/Or choose a file/), { target: { files: [file] } });
    await screen.findByText('klipper.bin, 3000 bytes');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText(/Put the printer's SD card into this computer/)).toBeTruthy();
    const start = screen.getByRole('button', { name: 'Start flashing' }) as HTMLButtonElement;
    expect(start.disabled).toBe(true); // no drive chosen yet
    const driveSelect = screen.getByLabelText('Drive');
    await waitFor(() => expect(within(driveSelect).getByText(/PRINTER_SD/)).toBeTruthy());
    fireEvent.change(driveSelect, { target: { value: path.join(root, 'PRINTER_SD') } });
    fireEvent.click(start);

    await screen.findByText('Firmware flashed', {}, { timeout: 10_000 });
    expect(screen.getByText(/The file on the card was read back and matches/)).toBeTruthy();
    expect(screen.getByText('File: STM32F4_UPDATE/firmware.bin')).toBeTruthy();
    expect(Buffer.compare(readFileSync(path.join(root, 'PRINTER_SD/STM32F4_UPDATE/firmware.bin')), Buffer.from(content))).toBe(0);
  });

  it('shows the failure with its fix and offers the ways back (image too big)', async () => {
    const root = path.join(testOutputDir, `wizard-media2-${process.pid}`);
    mkdirSync(path.join(root, 'CARD'), { recursive: true });
    await renderWizard(realClient({ driveRoot: root }));
    fireEvent.click(await screen.findByRole('button', { name: /Creality 4.2.2/ }));
    const tooBig = new File([new Uint8Array(524288)], 'huge.bin');
    fireEvent.change(screen.getByLabelText(/Or choose a file/), { target: { files: [tooBig] } });
    await screen.findByText(/huge.bin/);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const driveSelect = screen.getByLabelText('Drive');
    await waitFor(() => expect(within(driveSelect).getByText(/CARD/)).toBeTruthy());
    fireEvent.change(driveSelect, { target: { value: path.join(root, 'CARD') } });
    fireEvent.click(screen.getByRole('button', { name: 'Start flashing' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/has room for 495616.*Nothing was written/);
    expect(alert.textContent).toMatch(/What to do:/);
    fireEvent.click(screen.getByRole('button', { name: 'Choose another image or method' }));
    expect(screen.getByText('Firmware for Creality 4.2.2 (Ender-3 v2, Ender-3 Pro)')).toBeTruthy();
  });

  it('speaks Chinese', async () => {
    await renderWizard(realClient({}), 'zh-CN');
    expect(await screen.findByText('打印机里是哪块主板？')).toBeTruthy();
  });
});

describe.skipIf(!toolsPresent('avr-gcc', 'make', 'cc'))('flash wizard on a simulated Uno', () => {
  let board: SimBoard | undefined;
  beforeAll(() => buildSimBoardTools());
  afterEach(async () => {
    await board?.stop();
    board = undefined;
  });

  it('flashes through optiboot with progress and a live log, then the chip runs the image', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex')]);
    const image: ImageChoice = { id: 'b', label: 'Test app B', source: 'built', path: path.join(simBuild, 'app_atmega328p_B.hex') };
    await renderWizard(realClient({ ports: [{ path: board.pty, kind: 'virtual', virtual: true, knownName: 'Simulated Uno' }], images: [image] }));
    fireEvent.click(await screen.findByRole('button', { name: 'Arduino Uno (optiboot)' }));
    fireEvent.click(await screen.findByLabelText(/Test app B/));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const portSelect = screen.getByLabelText('Serial port');
    await waitFor(() => expect(within(portSelect).getByText(/Simulated Uno/)).toBeTruthy());
    fireEvent.change(portSelect, { target: { value: board.pty } });
    fireEvent.click(screen.getByRole('button', { name: 'Start flashing' }));
    await screen.findByText('Firmware flashed', {}, { timeout: 20_000 });
    expect(screen.getByText(/every byte was read back from the chip/)).toBeTruthy();
    const log = screen.getByRole('log').textContent ?? '';
    expect(log).toMatch(/Chip signature 1e950f matches atmega328p/);
    expect(log).toMatch(/Read-back verify passed/);
    await waitForUart(board, /TETHER-APP B/);
  });
});
