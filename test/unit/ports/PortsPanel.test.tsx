// @vitest-environment happy-dom
// The ports page wired to the real PortWatcher and port description code; the list source is
// recorded Linux data, changed under the watcher to play a plug and an unplug.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { describePort, findPortByIdentity, identityOf, PortWatcher, type PortInfo } from '../../../src-main/ports';
import { PortsPanel } from '../../../src-renderer/features/ports/PortsPanel';
import type { PortsClient } from '../../../src-renderer/features/ports/client';
import { usePorts } from '../../../src-renderer/features/ports/store';
import { initFeatureI18n } from '../flash/i18n-for-tests';
import * as rec from './recorded-ports';

function clientOver(watcher: PortWatcher, printers: { name: string; identity: ReturnType<typeof identityOf> }[]): PortsClient {
  return {
    list: async () => {
      const ports = watcher.current();
      const printerPorts: Record<string, string> = {};
      for (const p of printers) {
        const r = findPortByIdentity(p.identity, ports);
        if (r.found) printerPorts[r.port.path] = p.name;
      }
      return { ports, printerPorts };
    },
    onChanged: (listener) => watcher.onChanged(listener),
    addVirtual: async (path, label) => void watcher.addVirtual(path, label),
  };
}

afterEach(() => {
  cleanup();
  act(() => usePorts.setState({ ports: [], printerPorts: {}, problem: null, fresh: [] }));
});

describe('ports page', () => {
  it('lists ports with names and ids, marks the printer, and follows plug/unplug', async () => {
    let present: PortInfo[] = rec.linuxBefore.map((p) => describePort(p, 'linux', rec.linuxLinksBefore));
    const watcher = new PortWatcher({ intervalMs: 60_000, devDir: null, list: async () => present });
    await watcher.start();
    const voron = identityOf(present.find((p) => p.vendorId === '1d50')!);
    const i18n = await initFeatureI18n('ports');
    render(
      <I18nextProvider i18n={i18n}>
        <PortsPanel client={clientOver(watcher, [{ name: 'Voron', identity: voron }])} />
      </I18nextProvider>,
    );
    const table = await screen.findByRole('table', { name: 'Serial ports' });
    await waitFor(() => expect(within(table).getByText('Voron')).toBeTruthy());
    const ch340Row = within(table).getByText('/dev/ttyUSB0').closest('tr')!;
    expect(ch340Row.textContent).toMatch(/CH340 USB-serial/);
    expect(ch340Row.textContent).toMatch(/1a86:7523/);
    expect(ch340Row.textContent).toMatch(/none \(remembered by USB socket\)/);
    expect(within(table).getByText('Voron').closest('tr')!.textContent).toMatch(/\/dev\/ttyACM1/);

    // Replug: the Klipper board comes back as ttyACM0 and the printer mark follows it.
    present = rec.linuxAfter.map((p) => describePort(p, 'linux', rec.linuxLinksAfter));
    await act(() => watcher.refresh());
    await waitFor(() => expect(within(table).getByText('Voron').closest('tr')!.textContent).toMatch(/\/dev\/ttyACM0/));
    // Unplug the CH340.
    present = present.filter((p) => p.path !== '/dev/ttyUSB0');
    await act(() => watcher.refresh());
    await waitFor(() => expect(within(table).queryByText('/dev/ttyUSB0')).toBeNull());

    fireEvent.change(screen.getByLabelText('Path'), { target: { value: '/tmp/tether-sim' } });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Simulator' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(within(table).getByText('/tmp/tether-sim')).toBeTruthy());
    expect(within(table).getByText('/tmp/tether-sim').closest('tr')!.textContent).toMatch(/Simulator.*Virtual port/);
    watcher.stop();
  });

  it('shows a listing problem with its fix, in Chinese too', async () => {
    const failing: PortsClient = {
      list: async () => Promise.reject(Object.assign(new Error('x'), { problem: { code: 'no-udevadm', path: '', message: 'udevadm missing', fix: 'sudo apt install udev' } })),
      onChanged: () => () => undefined,
      addVirtual: async () => undefined,
    };
    const i18n = await initFeatureI18n('ports', 'zh-CN');
    render(
      <I18nextProvider i18n={i18n}>
        <PortsPanel client={failing} />
      </I18nextProvider>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('udevadm missing解决办法： sudo apt install udev');
    expect(screen.getByText('没有找到串口。')).toBeTruthy();
  });
});
