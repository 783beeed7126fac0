import { describe, expect, it } from 'vitest';
import { PortWatcher, type PortInfo, type PortsChangedEvent } from '../../../src-main/ports';

const port = (path: string, serialNumber?: string): PortInfo => ({ path, vendorId: '1a86', productId: '7523', kind: 'usb-serial-bridge', serialNumber });

describe('PortWatcher', () => {
  it('reports plugged and unplugged ports, and virtual ports added by hand', async () => {
    let present: PortInfo[] = [port('/dev/ttyUSB0')];
    const watcher = new PortWatcher({ intervalMs: 20, devDir: null, list: async () => present });
    const events: PortsChangedEvent[] = [];
    watcher.onChanged((e) => events.push(e));
    await watcher.start();
    try {
      expect(events).toHaveLength(1); // the first list counts as added
      present = [port('/dev/ttyUSB0'), port('/dev/ttyACM0', 'ABC')];
      await watcher.refresh();
      expect(events[1].added.map((p) => p.path)).toEqual(['/dev/ttyACM0']);
      present = [port('/dev/ttyACM0', 'ABC')];
      await watcher.refresh();
      expect(events[2].removed.map((p) => p.path)).toEqual(['/dev/ttyUSB0']);
      watcher.addVirtual('/tmp/tether-sim', 'Simulated printer');
      expect(events[3].ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/tmp/tether-sim']);
      expect(events[3].added[0]).toMatchObject({ virtual: true, kind: 'virtual' });
      // Nothing changed: no event.
      await watcher.refresh();
      expect(events).toHaveLength(4);
    } finally {
      watcher.stop();
    }
  });

  it('passes list errors to onError without stopping', async () => {
    let fail = true;
    const watcher = new PortWatcher({ intervalMs: 1000, devDir: null, list: async () => (fail ? Promise.reject(new Error('spawn udevadm ENOENT')) : []) });
    const errors: Error[] = [];
    watcher.onError((e) => errors.push(e));
    await watcher.start();
    fail = false;
    await watcher.refresh();
    watcher.stop();
    expect(errors.map((e) => e.message)).toEqual(['spawn udevadm ENOENT']);
  });
});
