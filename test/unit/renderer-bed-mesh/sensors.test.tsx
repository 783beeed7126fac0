// @vitest-environment happy-dom
// The dashboard's sensors card over a scripted host: filament sensors (detected / empty /
// disabled, enable switch sending SET_FILAMENT_SENSOR) and the probe (last query and result,
// QUERY_PROBE); nothing at all on a printer without them.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src-main/api/contract';
import type { connectApi as ConnectApiT } from '../../../src-renderer/api';
import { useStatus } from '../../../src-renderer/features/dashboard/status-store';
import type { SensorsCard as SensorsCardT } from '../../../src-renderer/features/sensors/SensorsCard';
import { filamentSensors, probeView } from '../../../src-renderer/features/sensors/model';
import { scriptedPrinter } from './printer-script';

let SensorsCard: typeof SensorsCardT;
let connectApi: typeof ConnectApiT;

beforeAll(async () => {
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  await initI18n();
  ({ connectApi } = await import('../../../src-renderer/api'));
  ({ SensorsCard } = await import('../../../src-renderer/features/sensors/SensorsCard'));
});
afterEach(cleanup);

/** A host with these objects, followed the way the dashboard does. */
async function followed(status: StatusSnapshot) {
  const host = scriptedPrinter(status);
  connectApi(host.client.bridge);
  useStatus.setState({ printerId: null, status: {}, error: null });
  await useStatus.getState().follow(host.client, 'printer-1');
  return host;
}

describe('sensors model', () => {
  it('reads filament switch and motion sensors, disabled before detected', () => {
    expect(
      filamentSensors({
        'filament_switch_sensor runout': { filament_detected: true, enabled: true },
        'filament_motion_sensor encoder': { filament_detected: true, enabled: false },
        'filament_switch_sensor b': { filament_detected: false, enabled: true },
        toolhead: { homed_axes: '' },
      }),
    ).toEqual([
      { name: 'b', enabled: true, state: 'empty' },
      { name: 'encoder', enabled: false, state: 'disabled' },
      { name: 'runout', enabled: true, state: 'detected' },
    ]);
  });

  it('reads the probe, with nothing known before the first query or probe', () => {
    expect(probeView({})).toBeNull();
    expect(probeView({ probe: { name: 'probe', last_query: false, last_z_result: 0 } })).toEqual({
      name: 'probe',
      lastQueryTriggered: false,
      lastZMm: 0,
    });
    expect(probeView({ probe: { name: 'bltouch', last_query: 1, last_z_result: 1.234 } })).toEqual({
      name: 'bltouch',
      lastQueryTriggered: true,
      lastZMm: 1.234,
    });
    expect(probeView({ probe: {} })).toEqual({ name: 'probe', lastQueryTriggered: null, lastZMm: null });
  });
});

describe('sensors card', () => {
  it('is absent on a printer with no filament sensor and no probe', async () => {
    await followed({ toolhead: { homed_axes: '' }, heater_bed: { temperature: 20 } });
    render(<SensorsCard printerId="printer-1" ready />);
    expect(screen.queryByTestId('sensors-card')).toBeNull();
  });

  it('shows each filament sensor and toggles it with SET_FILAMENT_SENSOR', async () => {
    const host = await followed({
      toolhead: { homed_axes: '' },
      'filament_switch_sensor runout': { filament_detected: true, enabled: true },
      'filament_switch_sensor spare': { filament_detected: false, enabled: false },
    });
    render(<SensorsCard printerId="printer-1" ready />);
    expect(screen.getByTestId('filament-state-runout').textContent).toBe('Filament detected');
    expect(screen.getByTestId('filament-state-spare').textContent).toBe('Disabled');
    expect(screen.queryByTestId('probe')).toBeNull();

    const runoutSwitch = screen.getByTestId('filament-runout').querySelector('input') as HTMLInputElement;
    expect(runoutSwitch.checked).toBe(true);
    fireEvent.click(runoutSwitch);
    await waitFor(() => expect(screen.getByTestId('filament-state-runout').textContent).toBe('Disabled'));
    expect(host.scripts).toEqual(['SET_FILAMENT_SENSOR SENSOR=runout ENABLE=0']);

    const spareSwitch = screen.getByTestId('filament-spare').querySelector('input') as HTMLInputElement;
    await waitFor(() => expect(spareSwitch.disabled).toBe(false));
    fireEvent.click(spareSwitch);
    await waitFor(() => expect(screen.getByTestId('filament-state-spare').textContent).toBe('No filament'));
    expect(host.scripts.at(-1)).toBe('SET_FILAMENT_SENSOR SENSOR=spare ENABLE=1');
    expect(host.refused).toEqual([]);
  });

  it("shows the probe's last result and queries it", async () => {
    const host = await followed({ toolhead: { homed_axes: '' }, probe: { name: 'probe', last_query: false, last_z_result: 1.0375 } });
    render(<SensorsCard printerId="printer-1" ready />);
    expect(screen.getByTestId('probe-query').textContent).toBe('Last query: open');
    expect(screen.getByTestId('probe-z').textContent).toBe('Last result: Z 1.038 mm');
    fireEvent.click(screen.getByRole('button', { name: 'Query probe' }));
    await waitFor(() => expect(screen.getByTestId('probe-query').textContent).toBe('Last query: triggered'));
    expect(host.scripts).toEqual(['QUERY_PROBE']);
  });

  it('keeps the controls off while the printer is not ready', async () => {
    await followed({
      probe: { name: 'probe', last_query: false, last_z_result: 0 },
      'filament_switch_sensor runout': { filament_detected: false, enabled: true },
    });
    render(<SensorsCard printerId="printer-1" ready={false} />);
    expect((screen.getByRole('button', { name: 'Query probe' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('filament-runout').querySelector('input') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId('filament-state-runout').textContent).toBe('No filament');
  });
});
