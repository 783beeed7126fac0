// End to end: the Bed mesh page and the dashboard's sensors card in Chromium against serve mode
// running the simulated printer with [probe] (Z homes on it), [bed_mesh] (3 x 3 points) and a
// [filament_switch_sensor]. From the page: calibrate waits for homing, Home all, Calibrate probes
// the sim's bed and the map appears (3D on SwiftShader's WebGL, then the 2D map), a profile is
// saved; on the dashboard the probe shows its last result and the sensor can be disabled.
//
// Heights: serve mode runs the sim's flat bed, so every probed point is 0 within the MCU's
// sampling (a step or two of Z, 0.0025 mm each, whatever the load: the sim's physics run on its
// own clock). We assert the mesh's shape and that its range stays within 2 steps (logged).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simConfigPath } from '../../src-main/app/services';
import { startServeSession, type ServeSession } from '../../src-main/server/serve-command';
import { snapshotUi } from '../integration/serve/ui-snapshot';
import { repoRoot, testOutputDir } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { chromiumArgs } from '../bench/preview/harnessServer';

const shotDir = path.join(testOutputDir, 'e2e');
const SLOW = { timeout: 30_000, interval: 200 };
/** Nine probes at 10 mm/s plus travel: ~15 s idle, allow for a loaded machine. */
const CALIBRATE = { timeout: 120_000, interval: 500 };
const Z_STEP_MM = 8 / 3200;

/** A saved 3 x 3 profile rising 0.22 mm to the right: the page loads it to show a mesh that is not flat. */
const TILT_PROFILE = `
[bed_mesh tilt]
version = 1
points =
  0.000000, 0.110000, 0.220000
  0.000000, 0.110000, 0.220000
  0.050000, 0.160000, 0.220000
x_count = 3
y_count = 3
mesh_x_pps = 0
mesh_y_pps = 0
algo = direct
tension = 0.2
min_x = 20.0
max_x = 180.0
min_y = 20.0
max_y = 180.0
`;

/** The sim config with Z homing on a probe, a 3 x 3 mesh and a filament sensor. */
function meshConfig(template: string, serial: string): string {
  return (
    template
      .replace(/^serial:.*$/m, `serial: ${serial}`)
      // Z faster than the template's 5 mm/s: the sim's Z starts 80 mm up and homing it is most of the wait.
      .replace(/^max_z_velocity: 5$/m, 'max_z_velocity: 25')
      .replace(
        /endstop_pin: \^PD3\nposition_endstop: 0\.5\n/,
        'endstop_pin: probe:z_virtual_endstop\nposition_min: -2\nhoming_retract_dist: 2\nhoming_speed: 25\n',
      )
      .concat(
        '\n[probe]\npin: ^PD3\nx_offset: -10\ny_offset: 5\nz_offset: 1\nspeed: 10\nlift_speed: 10\nsample_retract_dist: 1\n',
        '\n[bed_mesh]\nspeed: 100\nhorizontal_move_z: 3\nmesh_min: 20, 20\nmesh_max: 180, 180\nprobe_count: 3, 3\n',
        '\n[filament_switch_sensor runout]\nswitch_pin: ^PE4\npause_on_runout: False\n',
        TILT_PROFILE,
      )
  );
}

describe.skipIf(!toolsPresent('chromium'))('bed mesh page in Chromium against serve mode with a probing sim printer', () => {
  let session: ServeSession;
  let browser: Browser;
  let dataDir: string;
  let ui: { dir: string; remove(): void } | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(shotDir, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-e2e-mesh-'));
    const cfg = simConfigPath(dataDir);
    mkdirSync(path.dirname(cfg), { recursive: true });
    const template = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
    const config = meshConfig(template, path.join(path.dirname(cfg), 'ttyTether'));
    expect(config).toContain('probe:z_virtual_endstop'); // the template still has the Z endstop this edits
    expect(config).toContain('max_z_velocity: 25');
    writeFileSync(cfg, config);
    ui = await snapshotUi();
    session = await startServeSession({
      port: 0,
      dataDir,
      uiDir: ui.dir,
      entryUrl: pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href,
      simulatedPrinter: true,
      log: () => undefined,
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: chromiumArgs /* SwiftShader WebGL, as the preview's e2e */,
    });
    const context = await browser.newContext({ colorScheme: 'light', locale: 'en-US', viewport: { width: 1360, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${session.server.url}#/dashboard`);
    await page
      .getByTestId('state-message')
      .filter({ hasText: /^Printer is ready$/ })
      .waitFor({ timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await session?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    ui?.remove();
  });

  it('calibrates from the page once homed and shows the map, its legend and a saved profile', async () => {
    await page.getByRole('link', { name: 'Bed mesh' }).click();
    const panel = page.getByTestId('bed-mesh-panel');
    await panel.getByText('No mesh loaded').waitFor();
    const calibrate = panel.getByRole('button', { name: 'Calibrate' });
    expect(await calibrate.isDisabled()).toBe(true);
    expect(await panel.getByTestId('calibrate-reason').textContent()).toContain('Home X, Y and Z first');

    let t0 = Date.now();
    await panel.getByRole('button', { name: 'Home all' }).click();
    await expect.poll(() => calibrate.isEnabled(), SLOW).toBe(true);
    const homeS = (Date.now() - t0) / 1000;
    t0 = Date.now();
    await calibrate.click();
    await panel.getByTestId('mesh-legend').waitFor({ timeout: CALIBRATE.timeout });
    console.log(`Home all ${homeS.toFixed(1)} s, Calibrate to map ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    expect(await panel.getByTestId('mesh-size').textContent()).toBe('3 × 3 points · X 20–180, Y 20–180 mm');
    // Calibrated, not loaded from a profile: Klipper names it 'default'.
    expect(await panel.getByTestId('mesh-profile').textContent()).toBe('default');
    const rangeMm = Number((await panel.getByTestId('mesh-range').textContent())!.replace(' mm', ''));
    console.log(`flat sim bed: mesh range ${rangeMm} mm (Z step ${Z_STEP_MM} mm)`);
    expect(rangeMm).toBeLessThanOrEqual(2 * Z_STEP_MM + 0.0005);

    // A saved profile that is not flat, loaded from the list.
    await panel.getByTestId('profile-tilt').getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => panel.getByTestId('mesh-profile').textContent(), SLOW).toBe('tilt');
    expect(await panel.getByTestId('mesh-min').textContent()).toBe('0.000 mm');
    expect(await panel.getByTestId('mesh-max').textContent()).toBe('0.220 mm');
    expect(await panel.getByTestId('mesh-range').textContent()).toBe('0.220 mm');

    // SwiftShader gives WebGL: the 3D view draws (no fallback note) and the slider is there.
    await panel.getByTestId('mesh-view-3d').waitFor();
    expect(await panel.getByTestId('webgl-unavailable').count()).toBe(0);
    await panel.getByRole('slider').fill('120');
    expect(await panel.getByText('Z × 120').count()).toBe(1);
    await page.waitForTimeout(500); // a frame on a software renderer
    await panel.screenshot({ path: path.join(shotDir, 'bed-mesh-3d.png') });

    await panel.getByText('2D map').click();
    expect(await panel.getByTestId('mesh-cell').count()).toBe(9);
    // Back-left (row 2, col 0) is the profile's 0.05; the front row starts at 0.
    expect(await panel.locator('[data-col="0"][data-row="2"]').textContent()).toBe('X 20.0 Y 180.0: 0.050 mm');
    expect(await panel.locator('[data-col="0"][data-row="0"]').textContent()).toBe('X 20.0 Y 20.0: 0.000 mm');
    await panel.screenshot({ path: path.join(shotDir, 'bed-mesh-2d.png') });

    await panel.getByTestId('profile-name').fill('e2e');
    await panel.getByRole('button', { name: 'Save mesh' }).click();
    await panel.getByTestId('profile-e2e').waitFor({ timeout: SLOW.timeout });
    expect(await panel.getByTestId('save-config-hint').textContent()).toContain('SAVE_CONFIG writes profiles');
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("shows the probe's last result and the filament sensor on the dashboard, and disables the sensor", async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const card = page.getByTestId('sensors-card');
    await card.waitFor();
    // The probe object's last_z_result as the host reports it (its meaning is the host's; shown as is).
    const probeZ = (await card.getByTestId('probe-z').textContent()) ?? '';
    console.log(`probe card after calibrating: ${probeZ}`);
    expect(probeZ).toMatch(/^Last result: Z -?\d+\.\d{3} mm$/);

    await card.getByRole('button', { name: 'Query probe' }).click();
    await expect.poll(() => card.getByTestId('probe-query').textContent(), SLOW).toMatch(/^Last query: (open|triggered)$/);

    const state = card.getByTestId('filament-state-runout');
    expect(await state.textContent()).toMatch(/^(Filament detected|No filament)$/);
    // A controlled switch: it flips when the host's status says the sensor is disabled.
    await card.getByTestId('filament-runout').getByRole('checkbox').click();
    await expect.poll(() => state.textContent(), SLOW).toBe('Disabled');
    await card.screenshot({ path: path.join(shotDir, 'dashboard-sensors.png') });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
