// @vitest-environment happy-dom
// The live motion card reads motion_report from the dashboard's status store (fed by the one
// status subscription): it shows speed, extruder speed and position, follows new values, and
// hides itself while the printer is not ready or has no motion_report.
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMotionCard as LiveMotionCardT } from '../../../src-renderer/features/dashboard/LiveMotionCard';
import { useStatus, watchedObjects } from '../../../src-renderer/features/dashboard/status-store';

let LiveMotionCard: typeof LiveMotionCardT;
beforeAll(async () => {
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  await initI18n();
  ({ LiveMotionCard } = await import('../../../src-renderer/features/dashboard/LiveMotionCard'));
});
afterEach(() => {
  cleanup();
  useStatus.setState({ status: {} });
});

describe('LiveMotionCard', () => {
  it('is part of the dashboard subscription', () => {
    expect(watchedObjects(['toolhead', 'motion_report', 'mcu'])).toEqual(['toolhead', 'motion_report']);
  });

  it('shows motion_report and follows it', () => {
    useStatus.setState({
      status: { motion_report: { live_position: [12.5, 40, 0.3, 7], live_velocity: 123.456, live_extruder_velocity: -1.5 } },
    });
    render(<LiveMotionCard ready />);
    expect(screen.getByTestId('live-speed').textContent).toBe('123.5 mm/s');
    expect(screen.getByTestId('live-extruder').textContent).toBe('-1.50 mm/s');
    expect(screen.getByTestId('live-position').textContent).toBe('12.50, 40.00, 0.30');
    expect(screen.getByText('Live motion')).toBeTruthy();
    act(() =>
      useStatus.setState({ status: { motion_report: { live_position: [20, 40, 0.3, 8], live_velocity: 0, live_extruder_velocity: 0 } } }),
    );
    expect(screen.getByTestId('live-speed').textContent).toBe('0.0 mm/s');
    expect(screen.getByTestId('live-position').textContent).toBe('20.00, 40.00, 0.30');
  });

  it('is hidden while not ready, or without motion_report', () => {
    useStatus.setState({ status: { motion_report: { live_position: [1, 2, 3, 4], live_velocity: 5 } } });
    const { container } = render(<LiveMotionCard ready={false} />);
    expect(container.textContent).toBe('');
    act(() => useStatus.setState({ status: {} }));
    const again = render(<LiveMotionCard ready />);
    expect(again.container.textContent).toBe('');
  });
});
