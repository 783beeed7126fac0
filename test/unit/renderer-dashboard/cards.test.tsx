// @vitest-environment happy-dom
// The temperatures, motion and jobs cards in a DOM over a scripted bridge (calls checked against
// the real contract): what they show from the status, what they send, and what they refuse.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src-main/api/contract';
import type { JobsPanel as JobsPanelT } from '../../../src-renderer/features/jobs/JobsPanel';
import type { MotionPanel as MotionPanelT } from '../../../src-renderer/features/motion/MotionPanel';
import type { TemperaturesPanel as TemperaturesPanelT } from '../../../src-renderer/features/temperatures/TemperaturesPanel';
import type { useStatus as useStatusT } from '../../../src-renderer/features/dashboard/status-store';
import { ApiError } from '../../../src-main/api/errors';
import { scriptedApi } from './scripted-api';

const scripts: string[] = [];
const printCalls: string[] = [];
const api = scriptedApi({
  'gcode.run': async ({ script }) => (scripts.push(script), { done: true }),
  'temperatures.history': async () => ({ periodMs: 1000, capacity: 1200, nowMs: 2000, series: {} }),
  'files.list': async () => [{ name: 'cube.gcode', sizeBytes: 2048, modifiedMs: 1 }],
  'files.metadata': async () => {
    throw new ApiError('refused', 'no metadata');
  },
  'print.start': async ({ name }) => (printCalls.push(`start ${name}`), { done: true }),
  'print.pause': async () => (printCalls.push('pause'), { done: true }),
});

let MotionPanel: typeof MotionPanelT;
let TemperaturesPanel: typeof TemperaturesPanelT;
let JobsPanel: typeof JobsPanelT;
let useStatus: typeof useStatusT;
const setStatus = (status: StatusSnapshot) => act(() => useStatus.setState({ printerId: 'printer-1', status }));

beforeAll(async () => {
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  const { connectApi } = await import('../../../src-renderer/api');
  await initI18n();
  connectApi(api.client.bridge);
  ({ MotionPanel } = await import('../../../src-renderer/features/motion/MotionPanel'));
  ({ TemperaturesPanel } = await import('../../../src-renderer/features/temperatures/TemperaturesPanel'));
  ({ JobsPanel } = await import('../../../src-renderer/features/jobs/JobsPanel'));
  ({ useStatus } = await import('../../../src-renderer/features/dashboard/status-store'));
});
afterEach(() => {
  cleanup();
  scripts.length = 0;
});

const toolhead = (homed: string) => ({
  position: [50, 50, 10, 0],
  homed_axes: homed,
  axis_minimum: [0, 0, 0, 0],
  axis_maximum: [200, 200, 200, 0],
});

describe('motion card', () => {
  it('keeps jog off until an axis is homed, says why, and jogs a homed axis', async () => {
    await setStatus({
      toolhead: toolhead(''),
      gcode_move: { speed_factor: 1, extrude_factor: 1 },
      print_stats: { state: 'standby' },
      fan: { speed: 0 },
    });
    render(<MotionPanel printerId="printer-1" printerState="ready" />);
    const jogX = screen.getByTestId('jog-x+') as HTMLButtonElement;
    expect(jogX.disabled).toBe(true);
    expect(screen.getByTestId('jog-reason').textContent).toBe('Home first: X, Y, Z not homed, so the printer does not know where it is.');
    await setStatus({ ...useStatus.getState().status, toolhead: toolhead('x') });
    expect(jogX.disabled).toBe(false);
    expect(screen.getByTestId('jog-reason').textContent).toContain('Y, Z not homed');
    fireEvent.click(screen.getByRole('radio', { name: '1 mm' }));
    fireEvent.click(jogX);
    await waitFor(() =>
      expect(scripts).toEqual(['SAVE_GCODE_STATE NAME=tether_jog\nG91\nG1 X1 F6000\nRESTORE_GCODE_STATE NAME=tether_jog']),
    );
    // Buttons stay off while a command runs.
    const homeY = screen.getByRole('button', { name: 'Home Y' }) as HTMLButtonElement;
    await waitFor(() => expect(homeY.disabled).toBe(false));
    fireEvent.click(homeY);
    await waitFor(() => expect(scripts.at(-1)).toBe('G28 Y'));
  });

  it('offers no jog while printing, whatever is homed', async () => {
    await setStatus({ toolhead: toolhead('xyz'), gcode_move: {}, print_stats: { state: 'printing' } });
    render(<MotionPanel printerId="printer-1" printerState="ready" />);
    expect((screen.getByTestId('jog-x+') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('jog-reason').textContent).toBe('Jogging is off while a print is running or paused.');
  });
});

describe('temperatures card', () => {
  it('shows each heater and sets a typed target; refuses a non-number', async () => {
    await setStatus({
      heaters: { available_heaters: ['extruder', 'heater_bed'], available_sensors: ['extruder', 'heater_bed'] },
      extruder: { temperature: 24.56, target: 0, power: 0 },
      heater_bed: { temperature: 23, target: 60, power: 0.5 },
    });
    render(<TemperaturesPanel printerId="printer-1" ready />);
    const row = screen.getByTestId('sensor-extruder');
    expect(row.textContent).toContain('Hotend');
    expect(row.textContent).toContain('24.6 °C');
    expect(screen.getByTestId('sensor-heater_bed').textContent).toContain('50%');
    const input = screen.getByRole('textbox', { name: 'New target for Hotend in °C' }) as HTMLInputElement;
    const set = row.querySelector('button[type=submit]') as HTMLButtonElement;
    fireEvent.change(input, { target: { value: 'abc' } });
    expect(set.disabled).toBe(true);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(input, { target: { value: '215' } });
    fireEvent.click(set);
    await waitFor(() => expect(scripts).toEqual(['SET_HEATER_TEMPERATURE HEATER=extruder TARGET=215']));
    fireEvent.click(screen.getByRole('button', { name: 'PLA' }));
    await waitFor(() =>
      expect(scripts.at(-1)).toBe('SET_HEATER_TEMPERATURE HEATER=extruder TARGET=200\nSET_HEATER_TEMPERATURE HEATER=heater_bed TARGET=60'),
    );
  });
});

describe('jobs card', () => {
  it('lists files, starts one when idle, and offers pause only while printing', async () => {
    await setStatus({ print_stats: { state: 'standby', filename: '' }, virtual_sdcard: { progress: 0 }, display_status: { progress: 0 } });
    render(<JobsPanel printerId="printer-1" ready />);
    const row = await screen.findByTestId('file-row');
    expect(row.textContent).toContain('cube.gcode');
    expect(row.textContent).toContain('2.0 KiB');
    expect((screen.getByRole('button', { name: 'Pause' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Print' }));
    await waitFor(() => expect(printCalls).toContain('start cube.gcode'));
    await setStatus({
      print_stats: { state: 'printing', filename: 'cube.gcode', print_duration: 30 },
      virtual_sdcard: { progress: 0.1 },
      display_status: { progress: 0 },
    });
    expect(screen.getByTestId('job-state').textContent).toBe('Printing');
    expect(screen.getByTestId('job-progress').textContent).toBe('10.0%');
    // No slicer estimate: 30 s for 10 % leaves 270 s.
    expect(screen.getByTestId('job-eta').textContent).toBe('4 min 30 s');
    expect((screen.getByRole('button', { name: 'Print' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(printCalls).toContain('pause'));
    expect(api.refused).toEqual([]);
  });

  it('says how to add a G-code folder when the printer has none, and offers no upload', async () => {
    await setStatus({ toolhead: toolhead('') });
    render(<JobsPanel printerId="printer-1" ready />);
    expect(screen.getByTestId('jobs-panel').textContent).toContain('has no [virtual_sdcard] section');
    expect((screen.getByRole('button', { name: 'Choose files…' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
