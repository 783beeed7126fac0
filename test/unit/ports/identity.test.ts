import { describe, expect, it } from 'vitest';
import { describePort, findPortByIdentity, formatPorts, identityOf, listPorts, markPrinterPorts, type PortInfo, type PortSources } from '../../../src-main/ports';
import type { SerialportPortInfo } from '../../../src-main/ports/list';
import * as rec from './recorded-ports';

const noLinks = { byId: new Map<string, string>(), byPath: new Map<string, string>() };
function sources(platform: NodeJS.Platform, list: SerialportPortInfo[], links = noLinks): PortSources {
  return { platform, list: async () => list, serialLinks: () => links, productOf: () => undefined };
}

describe('listPorts on recorded data', () => {
  it('Linux: adds by-id and by-path links, known names and kinds', async () => {
    const ports = await listPorts(sources('linux', rec.linuxBefore, rec.linuxLinksBefore));
    const ch340 = ports.find((p) => p.path === '/dev/ttyUSB0')!;
    expect(ch340).toMatchObject({
      knownName: 'CH340 USB-serial',
      kind: 'usb-serial-bridge',
      byId: '/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0',
      byPath: '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0',
      location: '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0',
    });
    expect(ch340.serialNumber).toBeUndefined();
    expect(ports.find((p) => p.path === '/dev/ttyACM1')).toMatchObject({ knownName: 'Klipper firmware (USB)', kind: 'klipper' });
    expect(ports.find((p) => p.path === '/dev/ttyACM0')).toMatchObject({ knownName: 'Arduino Mega 2560 R3' });
    expect(ports.find((p) => p.path === '/dev/ttyS0')).toMatchObject({ kind: 'onboard' });
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyACM1', '/dev/ttyS0', '/dev/ttyUSB0']);
  });

  it('tether ports prints each port with its links and ids', async () => {
    const text = formatPorts(await listPorts(sources('linux', rec.linuxBefore, rec.linuxLinksBefore)));
    expect(text).toContain('/dev/ttyUSB0  CH340 USB-serial\n  usb 1a86:7523  serial none (remembered by USB socket)\n  /dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0\n  /dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0');
    expect(formatPorts([])).toMatch(/No serial ports found/);
  });

  it('Windows: normalises upper-case ids and does not take an instance id for a serial number', () => {
    const ch340 = describePort(rec.windowsBefore[1], 'win32', noLinks);
    expect(ch340.vendorId).toBe('1a86');
    expect(ch340.serialNumber).toBeUndefined();
    expect(ch340.location).toBe('5&2D3F6A1F&0&2');
    expect(describePort(rec.windowsBefore[2], 'win32', noLinks).serialNumber).toBe('32002F001851303232383230');
  });

  it('reports a missing udevadm with the fix', async () => {
    const err = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
    const failing: PortSources = { ...sources('linux', []), list: async () => Promise.reject(err) };
    await expect(listPorts(failing)).rejects.toThrow(/udevadm.*apt install udev/);
  });
});

describe('findPortByIdentity after replug and renumbering', () => {
  const cases: { system: string; platform: NodeJS.Platform; before: SerialportPortInfo[]; after: SerialportPortInfo[]; linksBefore?: typeof noLinks; linksAfter?: typeof noLinks }[] = [
    { system: 'Linux', platform: 'linux', before: rec.linuxBefore, after: rec.linuxAfter, linksBefore: rec.linuxLinksBefore, linksAfter: rec.linuxLinksAfter },
    { system: 'macOS', platform: 'darwin', before: rec.macBefore, after: rec.macAfter },
    { system: 'Windows', platform: 'win32', before: rec.windowsBefore, after: rec.windowsAfter },
  ];
  for (const c of cases) {
    const describeAll = (list: SerialportPortInfo[], links = noLinks) => list.map((p) => describePort(p, c.platform, links));
    it(`${c.system}: finds each board again`, () => {
      const before = describeAll(c.before, c.linksBefore);
      const after = describeAll(c.after, c.linksAfter);
      const remembered = (vid: string) => identityOf(before.find((p) => p.vendorId === vid)!);
      const mega = findPortByIdentity(remembered('2341'), after);
      const klipper = findPortByIdentity(remembered('1d50'), after);
      const ch340 = findPortByIdentity(remembered('1a86'), after);
      expect(mega).toMatchObject({ found: true, match: 'serial-number' });
      expect(klipper).toMatchObject({ found: true, match: 'serial-number' });
      expect(ch340.found && ch340.port.vendorId).toBe('1a86');
      expect(ch340.found && ch340.match).toBe('location');
      const expected = after.find((p) => p.vendorId === '2341')!.path;
      expect(mega.found && mega.port.path).toBe(expected);
      expect(after.find((p) => p.vendorId === '2341')!.path).not.toBe(before.find((p) => p.vendorId === '2341')!.path);
    });
  }

  it('does not take another board of the same kind for a board with a serial number', () => {
    const mega = describePort(rec.linuxBefore[0], 'linux', noLinks);
    const otherMega: PortInfo = { ...mega, path: '/dev/ttyACM5', serialNumber: '999', byId: undefined };
    expect(findPortByIdentity(identityOf(mega), [otherMega])).toMatchObject({ found: false, reason: 'absent' });
  });

  it('asks instead of guessing between two serial-less clones moved to new sockets', () => {
    const a: PortInfo = { path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523', location: 'socket-1', kind: 'usb-serial-bridge' };
    const moved1: PortInfo = { ...a, path: '/dev/ttyUSB3', location: 'socket-7' };
    const moved2: PortInfo = { ...a, path: '/dev/ttyUSB4', location: 'socket-8' };
    const r = findPortByIdentity(identityOf(a), [moved1, moved2]);
    expect(r).toMatchObject({ found: false, reason: 'ambiguous' });
    expect(r.found === false && r.candidates.map((p) => p.path)).toEqual(['/dev/ttyUSB3', '/dev/ttyUSB4']);
    // A lone clone in a new socket is still found, as the only such device.
    expect(findPortByIdentity(identityOf(a), [moved1])).toMatchObject({ found: true, match: 'only-such-device' });
  });

  it('finds virtual ports by path and marks configured printers', () => {
    const sim: PortInfo = { path: '/tmp/tether-sim', kind: 'virtual', virtual: true };
    expect(findPortByIdentity({ path: '/tmp/tether-sim' }, [sim])).toMatchObject({ found: true, match: 'path' });
    const ports = rec.linuxAfter.map((p) => describePort(p, 'linux', rec.linuxLinksAfter));
    const klipperId = identityOf(describePort(rec.linuxBefore[2], 'linux', rec.linuxLinksBefore));
    const marks = markPrinterPorts([{ name: 'Voron', identity: klipperId }, { name: 'Gone', identity: { path: '/dev/ttyACM9', vendorId: '0483', productId: '5740', serialNumber: 'X' } }], ports);
    expect([...marks]).toEqual([['/dev/ttyACM0', 'Voron']]);
  });
});
