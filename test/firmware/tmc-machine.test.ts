import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFromConfigFile } from '../../src-main/host/sim/machine';
import { referenceDir, repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim } from './sim-link';
import { datagram, request } from './tmc-wire';

// The sim's "drivers" section generated from printer.cfg ([tmc2209 stepper_x] ...), and the sim
// running that machine: the SKR Mini E3 V3's four TMC2209s share one UART (rx PC11, tx PC10,
// addresses 0-3), each answering to its own address.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const configs = path.join(referenceDir, 'klipper-configs');
const outDir = path.join(testOutputDir, 'firmware');

describe('sim drivers from printer.cfg', () => {
  it('[tmc2209 ...] UART drivers and [tmc5160 ...] SPI drivers become "drivers" entries', () => {
    const skr = machineFromConfigFile(path.join(configs, 'generic-bigtreetech-skr-mini-e3-v3.0.cfg'));
    expect(skr.drivers).toEqual([
      { name: 'stepper_x', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 0 },
      { name: 'stepper_y', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 2 },
      { name: 'stepper_z', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 1 },
      { name: 'extruder', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 3 },
    ]);
    const leviathan = machineFromConfigFile(path.join(configs, 'generic-ldo-leviathan-v1.2.cfg'));
    expect(leviathan.drivers).toContainEqual({ name: 'stepper_x', kind: 'tmc5160', cs_pin: 'PE15', spi_bus: 'spi4' });
  });

  it('the sim runs the generated machine: each TMC2209 on the shared UART answers at its address', async () => {
    mkdirSync(outDir, { recursive: true });
    const machinePath = path.join(outDir, 'tmc-skr-machine.json');
    writeFileSync(machinePath, JSON.stringify(machineFromConfigFile(path.join(configs, 'generic-bigtreetech-skr-mini-e3-v3.0.cfg'))));
    const sim = await startSim(simPath, ['--machine', machinePath]);
    const link = await SimLink.open(sim.pty);
    try {
      const { dict } = await link.identify();
      link.send('allocate_oids', { count: 1 });
      link.send('config_tmcuart', { oid: 0, rx_pin: pinNumber(dict, 'PC11'), pull_up: 0, tx_pin: pinNumber(dict, 'PC10'), bit_time: 50_000_000 / 40000 });
      link.send('finalize_config', { crc: 0 });
      const read = async (addr: number, reg: number) => {
        const r = await request(link, 'tmcuart_send', { oid: 0, write: datagram([0xf5, addr, reg]), read: 10 }, 'tmcuart_response');
        return r.params.read as Buffer;
      };
      // Give each driver its own GCONF, then read every one back: only the addressed one answers.
      for (const addr of [0, 1, 2, 3]) {
        const v = 0x40 | addr;
        await request(link, 'tmcuart_send', { oid: 0, write: datagram([0xf5, addr, 0x80, 0, 0, 0, v]), read: 0 }, 'tmcuart_response');
      }
      for (const addr of [0, 1, 2, 3]) expect(await read(addr, 0x00)).toEqual(datagram([0x05, 0xff, 0x00, 0, 0, 0, 0x40 | addr]));
    } finally {
      await link.close();
      await stopSim(sim.proc);
    }
  });
});
