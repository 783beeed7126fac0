// @vitest-environment happy-dom
// The live motion card over a scripted bridge (calls checked against the real contract): it
// asks motion_report through status.query, shows speed, extruder speed and position, hides
// itself while the printer is not ready or has no motion_report, and follows new values.
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src-main/api/contract';
import type { LiveMotionCard as LiveMotionCardT } from '../../../src-renderer/features/dashboard/LiveMotionCard';
import { scriptedApi } from './scripted-api';

let report: Record<string, unknown> | null = { live_position: [12.5, 40, 0.3, 7], live_velocity: 123.456, live_extruder_velocity: -1.5 };
const api = scriptedApi({
  'status.query': async ({ objects }) => {
    const status: StatusSnapshot = report && 'motion_report' in objects ? { motion_report: report } : {};
    return { eventtime: 1, status };
  },
});

let LiveMotionCard: typeof LiveMotionCardT;
beforeAll(async () => {
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  const { connectApi } = await import('../../../src-renderer/api');
  await initI18n();
  connectApi(api.client.bridge);
  ({ LiveMotionCard } = await import('../../../src-renderer/features/dashboard/LiveMotionCard'));
});
afterEach(() => cleanup());

describe('LiveMotionCard', () => {
  it('shows motion_report and follows it', async () => {
    render(<LiveMotionCard printerId="printer-1" ready />);
    expect(await screen.findByTestId('live-speed')).toHaveProperty('textContent', '123.5 mm/s');
    expect(screen.getByTestId('live-extruder').textContent).toBe('-1.50 mm/s');
    expect(screen.getByTestId('live-position').textContent).toBe('12.50, 40.00, 0.30');
    expect(screen.getByText('Live motion')).toBeTruthy();
    expect(api.refused).toEqual([]);
    expect(api.calls.some((c) => c.method === 'status.query')).toBe(true);
    report = { live_position: [20, 40, 0.3, 8], live_velocity: 0, live_extruder_velocity: 0 };
    await act(() => new Promise((r) => setTimeout(r, 700)));
    expect(screen.getByTestId('live-speed').textContent).toBe('0.0 mm/s');
  });

  it('is hidden while not ready, or without motion_report', async () => {
    const { container } = render(<LiveMotionCard printerId="printer-1" ready={false} />);
    expect(container.textContent).toBe('');
    report = null;
    const again = render(<LiveMotionCard printerId="printer-1" ready />);
    await act(() => new Promise((r) => setTimeout(r, 100)));
    expect(again.container.textContent).toBe('');
  });
});
