// @vitest-environment happy-dom
// The wizard's "build firmware" box wired to the real build service (FirmwareBuilds: the firmware
// Makefile and compilers), and the re-flash offer's side of the wizard.
import path from 'node:path';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { checkToolchain, FirmwareBuilds, FlashJobs, loadBoardCatalog, type FirmwareBuildOptions } from '../../../src-main/flash';
import { FlashWizard } from '../../../src-renderer/features/flash/FlashWizard';
import type { FlashClient } from '../../../src-renderer/features/flash/client';
import { rememberedBoard, useFlashWizard } from '../../../src-renderer/features/flash/store';
import { repoRoot, testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { initFeatureI18n } from './i18n-for-tests';

const catalog = loadBoardCatalog();

function buildingClient(options: Partial<FirmwareBuildOptions> = {}): FlashClient {
  const builds = new FirmwareBuilds(catalog, {
    sourceDir: path.join(repoRoot, 'firmware'),
    outputRoot: path.join(testOutputDir, `wizard-builds-${process.pid}`),
    ...options,
  });
  const jobs = new FlashJobs(catalog);
  return {
    listBoards: async () => catalog.boards,
    listPorts: async () => [],
    listDrives: async () => [],
    // As the API offers them: the board's finished builds.
    listImages: async (boardId) => builds.builds(boardId).map((b) => ({ id: b.dir, label: `built ${b.imageBytes} bytes`, source: 'built' as const, path: b.imagePath })),
    start: async (request) => jobs.start(request),
    cancel: async (jobId) => void jobs.cancel(jobId),
    onEvent: (listener) => jobs.onEvent(listener),
    buildStatus: async (boardId, fresh) => builds.status(boardId, fresh),
    startBuild: async (boardId) => builds.start(boardId),
    cancelBuild: async (buildId) => void builds.cancel(buildId),
    onBuildEvent: (listener) => builds.onEvent(listener),
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

describe('building firmware in the wizard', () => {
  it.skipIf(!toolsPresent('make', 'avr-gcc'))('builds for the Uno with step progress and a live log, then offers and selects the new image', async () => {
    await renderWizard(buildingClient());
    fireEvent.click(await screen.findByRole('button', { name: 'Arduino Uno (optiboot)' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Build firmware' }));
    await screen.findByRole('progressbar', { name: 'Build progress' });
    await screen.findByText(/^Built: \d+ of 32256 bytes of flash/, {}, { timeout: 60_000 });
    const log = screen.getByRole('log', { name: 'Build log' }).textContent ?? '';
    expect(log).toMatch(/make -C .* avr .*MCU=atmega328p F_CPU=16000000/);
    expect(log).toMatch(/avr-gcc .*-mmcu=atmega328p/);
    // The built image is offered and chosen: Next is enabled without picking a file.
    const built = useFlashWizard.getState().build.result!;
    await waitFor(() => expect(useFlashWizard.getState().image).toMatchObject({ kind: 'choice', choice: { path: built.imagePath } }));
    expect((screen.getByRole('radio') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(false);
  }, 90_000);

  it('without a compiler it says what to install instead of offering the build', async () => {
    let installed = false;
    const missingAvrGcc = (target: 'avr' | 'stm32') =>
      checkToolchain(target, 'linux', (command, args) => (command === 'avr-gcc' && !installed ? null : { status: 0, stdout: args[0] === '--version' ? `${command} 1.0` : '', stderr: '' }));
    await renderWizard(buildingClient({ toolchain: missingAvrGcc }));
    fireEvent.click(await screen.findByRole('button', { name: 'Arduino Mega 2560 + RAMPS 1.4' }));
    await screen.findByText('Firmware cannot be built on this computer yet:');
    expect(screen.getByText(/avr-gcc is not installed/).textContent).toMatch(/sudo apt install gcc-avr binutils-avr avr-libc/);
    expect(screen.queryByRole('button', { name: 'Build firmware' })).toBeNull();
    // Installed meanwhile: checking again looks afresh and offers the build.
    installed = true;
    fireEvent.click(screen.getByRole('button', { name: 'Check the compiler again' }));
    await screen.findByRole('button', { name: 'Build firmware' });
  });

  it('a board our firmware does not support says so, in Chinese too', async () => {
    await renderWizard(buildingClient(), 'zh-CN');
    fireEvent.click(await screen.findByRole('button', { name: /SKR Pico/ }));
    await screen.findByText('为此主板编译 Tether 固件');
    expect(screen.getByText(/does not support .*rp2040 yet/)).toBeTruthy();
  });
});

describe('re-flash offer in the wizard', () => {
  it('opens on the printer\'s board and port with the version-mismatch banner', async () => {
    const client = buildingClient();
    await renderWizard(client);
    await act(() => useFlashWizard.getState().preselect(client, 'arduino-mega2560-ramps', '/dev/ttyACM0', { reflash: true }));
    expect(screen.getByTestId('reflash-banner').textContent).toMatch(/MCU Protocol error/);
    expect(screen.getByText('Firmware for Arduino Mega 2560 + RAMPS 1.4')).toBeTruthy();
    expect(useFlashWizard.getState()).toMatchObject({ boardId: 'arduino-mega2560-ramps', port: '/dev/ttyACM0', reflash: true });
  });

  it('without a remembered board it starts at the board step with the port kept; a finished flash remembers the board', async () => {
    const client = buildingClient();
    await renderWizard(client);
    expect(rememberedBoard('/dev/ttyUSB9')).toBeNull();
    await act(() => useFlashWizard.getState().preselect(client, rememberedBoard('/dev/ttyUSB9'), '/dev/ttyUSB9', { reflash: true }));
    expect(useFlashWizard.getState()).toMatchObject({ step: 'board', boardId: null, port: '/dev/ttyUSB9' });
    // A flash of that port finishing (the job's done event) records the board for next time.
    act(() => {
      useFlashWizard.setState({ step: 'flashing', boardId: 'creality-melzi', jobId: 'job-1' });
      useFlashWizard.getState().applyEvent({ jobId: 'job-1', type: 'done', result: { method: 'stk500v1', bytesWritten: 1, verifiedBy: 'read-back', durationMs: 1 } });
    });
    expect(rememberedBoard('/dev/ttyUSB9')).toBe('creality-melzi');
  });
});
