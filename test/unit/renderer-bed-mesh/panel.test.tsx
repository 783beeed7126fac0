// @vitest-environment happy-dom
// The bed mesh page in a DOM over a scripted host (calls checked against the real contract): its
// states (no [bed_mesh], no mesh, a mesh), the G-code each button sends, and the 2D map it shows
// without WebGL (happy-dom has none) or when WebGL fails to start.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BedMeshPanel as BedMeshPanelT } from '../../../src-renderer/features/bed-mesh/BedMeshPanel';
import { cssColor, SCALE_STOPS } from '../../../src-renderer/features/bed-mesh/mesh';
import { useBedMeshStore } from '../../../src-renderer/features/bed-mesh/store';
import { useStatus } from '../../../src-renderer/features/dashboard/status-store';
import { bedMeshStatus, emptyBedMesh } from './fixtures';
import { scriptedPrinter } from './printer-script';

let BedMeshPanel: typeof BedMeshPanelT;

beforeAll(async () => {
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  await initI18n();
  ({ BedMeshPanel } = await import('../../../src-renderer/features/bed-mesh/BedMeshPanel'));
});
beforeEach(() => {
  useStatus.setState({ printerId: null, status: {}, error: null });
  useBedMeshStore.setState({ printerId: null, hasBedMesh: null, error: null, view: '3d' });
});
afterEach(cleanup);

const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;

describe('bed mesh panel', () => {
  it('says so when the printer has no [bed_mesh], and offers no mesh buttons', async () => {
    const host = scriptedPrinter({ toolhead: { homed_axes: 'xyz' }, heater_bed: { temperature: 20 } });
    render(<BedMeshPanel client={host.client} printerId="printer-1" ready />);
    expect(await screen.findByTestId('mesh-state-noBedMesh')).toBeTruthy();
    expect(screen.getByTestId('mesh-state-noBedMesh').textContent).toContain('no [bed_mesh] section');
    expect(screen.queryByRole('button', { name: 'Calibrate' })).toBeNull();
    expect(host.refused).toEqual([]);
  });

  it('waits for a printer that is not ready without asking the host', () => {
    const host = scriptedPrinter({ bed_mesh: emptyBedMesh });
    render(<BedMeshPanel client={host.client} printerId="printer-1" ready={false} />);
    expect(screen.getByTestId('mesh-state-notReady')).toBeTruthy();
    expect(host.calls).toEqual([]);
  });

  it('with no mesh: calibrate waits for homing, Home all sends G28, then BED_MESH_CALIBRATE draws the map', async () => {
    const host = scriptedPrinter({ toolhead: { homed_axes: '' }, bed_mesh: emptyBedMesh });
    render(<BedMeshPanel client={host.client} printerId="printer-1" ready />);
    await screen.findByText('No mesh loaded');
    expect(button('Calibrate').disabled).toBe(true);
    expect(button('Clear').disabled).toBe(true);
    expect(screen.getByTestId('calibrate-reason').textContent).toContain('Home X, Y and Z first');

    fireEvent.click(button('Home all'));
    await waitFor(() => expect(button('Calibrate').disabled).toBe(false));
    expect(screen.queryByRole('button', { name: 'Home all' })).toBeNull();
    fireEvent.click(button('Calibrate'));
    await screen.findByTestId('mesh-map-2d');
    expect(host.scripts).toEqual(['G28', 'BED_MESH_CALIBRATE']);
    expect(host.refused).toEqual([]);

    expect(screen.getByTestId('mesh-profile').textContent).toBe('default');
    expect(screen.getByTestId('mesh-size').textContent).toBe('3 × 4 points · X 10–190, Y 20–180 mm');
    expect(screen.getByTestId('mesh-min').textContent).toBe('-0.100 mm');
    expect(screen.getByTestId('mesh-max').textContent).toBe('0.200 mm');
    expect(screen.getByTestId('mesh-range').textContent).toBe('0.300 mm');
  });

  it('draws the 2D map front row at the bottom, coloured by height, when WebGL is unavailable', async () => {
    const host = scriptedPrinter({ toolhead: { homed_axes: 'xyz' }, bed_mesh: bedMeshStatus() });
    render(<BedMeshPanel client={host.client} printerId="printer-1" ready />);
    const map = await screen.findByTestId('mesh-map-2d');
    expect(screen.getByTestId('webgl-unavailable')).toBeTruthy();
    expect((screen.getByRole('radio', { name: '3D' }) as HTMLInputElement).disabled).toBe(true);
    const cells = [...map.querySelectorAll('rect')];
    expect(cells.length).toBe(12);
    const cell = (col: number, row: number) => cells.find((c) => c.dataset.col === String(col) && c.dataset.row === String(row))!;
    const top = (col: number, row: number) => Number(cell(col, row).getAttribute('y'));
    // probed[0][0] (-0.1, the lowest, front-left) is in the bottom row; probed[3][2] (0.2, highest) in the top row.
    expect(top(0, 0)).toBeGreaterThan(top(0, 3));
    expect(top(2, 3)).toBe(0);
    expect(cell(0, 0).getAttribute('fill')).toBe(cssColor(SCALE_STOPS[0]));
    expect(cell(0, 0).textContent).toBe('X 10.0 Y 20.0: -0.100 mm');
    expect(cell(2, 3).getAttribute('fill')).toBe(cssColor(SCALE_STOPS[4]));
    expect(cell(2, 3).textContent).toBe('X 190.0 Y 180.0: 0.200 mm');
    // Cells take the points' spacing on the bed (90 mm by 53.3 mm here), and show their value.
    expect(Number(cell(0, 0).getAttribute('width'))).toBe(90);
    expect(Number(cell(0, 0).getAttribute('height'))).toBeCloseTo(160 / 3, 9);
    expect([...map.querySelectorAll('text')].map((t) => t.textContent).slice(0, 3)).toEqual(['-0.100', '0.000', '0.050']);
  });

  it('falls back to the 2D map when WebGL exists but three cannot start on it', async () => {
    const original = HTMLCanvasElement.prototype.getContext;
    // A context object that is not a real WebGL context: three's renderer throws on it.
    HTMLCanvasElement.prototype.getContext = function (kind: string) {
      return kind.startsWith('webgl') ? ({} as RenderingContext) : null;
    } as typeof original;
    try {
      const host = scriptedPrinter({ toolhead: { homed_axes: 'xyz' }, bed_mesh: bedMeshStatus() });
      render(<BedMeshPanel client={host.client} printerId="printer-1" ready />);
      expect(await screen.findByTestId('mesh-map-2d')).toBeTruthy();
      expect(screen.queryByTestId('mesh-view-3d')).toBeNull();
      expect(screen.getByTestId('webgl-unavailable')).toBeTruthy();
    } finally {
      HTMLCanvasElement.prototype.getContext = original;
    }
  });

  it('sends clear and profile commands, hints at SAVE_CONFIG after a change, and refuses unusable names', async () => {
    const host = scriptedPrinter({ toolhead: { homed_axes: 'xyz' }, bed_mesh: bedMeshStatus() });
    render(<BedMeshPanel client={host.client} printerId="printer-1" ready />);
    await screen.findByTestId('mesh-map-2d');
    expect(screen.getByTestId('profile-default').textContent).toContain('Loaded');
    expect(screen.getByTestId('profile-pei').textContent).toContain('2 × 2 points · range 0.300 mm');

    const pei = screen.getByTestId('profile-pei');
    fireEvent.click(pei.querySelector('button') as HTMLButtonElement);
    await waitFor(() => expect(host.scripts).toEqual(['BED_MESH_PROFILE LOAD=pei']));
    expect(screen.queryByTestId('save-config-hint')).toBeNull(); // loading changes nothing on disk

    await waitFor(() => expect(button('Remove profile pei').disabled).toBe(false));
    fireEvent.click(button('Remove profile pei'));
    await waitFor(() => expect(screen.queryByTestId('profile-pei')).toBeNull());
    expect(host.scripts.at(-1)).toBe('BED_MESH_PROFILE REMOVE=pei');
    expect(screen.getByTestId('save-config-hint').textContent).toContain('SAVE_CONFIG writes profiles to printer.cfg');

    const nameBox = screen.getByTestId('profile-name');
    fireEvent.change(nameBox, { target: { value: 'my sheet' } });
    expect(button('Save mesh').disabled).toBe(true);
    expect(screen.getByText('Use letters, digits, _ . and - only (no spaces).')).toBeTruthy();
    fireEvent.change(nameBox, { target: { value: 'textured_pei' } });
    fireEvent.click(button('Save mesh'));
    await waitFor(() => expect(host.scripts.at(-1)).toBe('BED_MESH_PROFILE SAVE=textured_pei'));

    await waitFor(() => expect(button('SAVE_CONFIG').disabled).toBe(false));
    fireEvent.click(button('SAVE_CONFIG'));
    await waitFor(() => expect(host.scripts.at(-1)).toBe('SAVE_CONFIG'));
    await waitFor(() => expect(screen.queryByTestId('save-config-hint')).toBeNull());

    await waitFor(() => expect(button('Clear').disabled).toBe(false));
    fireEvent.click(button('Clear'));
    await screen.findByText('No mesh loaded');
    expect(host.scripts.at(-1)).toBe('BED_MESH_CLEAR');
    expect(button('Save mesh').disabled).toBe(true);
    expect(host.refused).toEqual([]);
  });

  it("shows the host's error when a command fails", async () => {
    const host = scriptedPrinter({ toolhead: { homed_axes: 'xyz' }, bed_mesh: emptyBedMesh });
    render(<BedMeshPanel client={host.client} printerId="printer-1" ready />);
    await screen.findByText('No mesh loaded');
    // The host lost its homing (motors off) before the status said so.
    host.status.toolhead.homed_axes = '';
    fireEvent.click(button('Calibrate'));
    expect((await screen.findByRole('alert')).textContent).toBe('Must home axis first');
    await act(async () => undefined);
  });
});
