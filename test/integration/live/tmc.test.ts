// Trinamic drivers end to end on the sim over its pty: the sim's driver models (generated from
// the [tmc...] sections) decode the host's UART bit streams and SPI datagrams at pin level. The
// host must initialise them (UART writes checked through the model's IFCNT), DUMP_TMC must show
// what the models hold, SET_TMC_CURRENT must change IHOLD_IRUN in the model, and a driver that
// does not answer must stop start-up with Klipper's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivePrinter, type LivePrinter } from './live-printer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const DRIVERS = `
[tmc2209 stepper_x]
uart_pin: PC0
tx_pin: PC1
uart_address: 0
run_current: 0.8

[tmc2209 stepper_y]
uart_pin: PC0
tx_pin: PC1
uart_address: 2
run_current: 0.58
hold_current: 0.4
stealthchop_threshold: 100

[tmc5160 stepper_z]
cs_pin: PC3
spi_bus: spi
run_current: 1.0
`;

/** The sim's accepted register writes for one driver: [reg_name, value] in order. */
function simWrites(p: LivePrinter, name: string): [string, number][] {
  return p
    .trace()
    .filter((e) => e.ev === 'tmc' && e.name === name && !e.ignored)
    .map((e) => [String(e.reg_name), Number(e.value)]);
}

describe('TMC drivers on the sim', () => {
  let p: LivePrinter;
  beforeAll(async () => {
    p = await startLivePrinter('tmc', { edit: (cfg) => cfg + DRIVERS });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('start-up writes every init register into the driver models (ready = every UART write counted by IFCNT)', async () => {
    expect(p.host.printer.state).toBe('ready');
    // The sim flushes its trace at least once a second; a loaded machine may hold the sim back,
    // so wait up to 20 s for every register checked below (the SPI driver's writes may land after
    // the UART drivers': a hog-loaded run read the trace before GLOBALSCALER was in it).
    const written = (name: string, regs: string[]) => regs.every((r) => simWrites(p, name).some(([w]) => w === r));
    const allWritten = () =>
      written('stepper_x', ['GCONF', 'IHOLD_IRUN', 'CHOPCONF', 'PWMCONF']) &&
      written('stepper_y', ['GCONF', 'IHOLD_IRUN', 'TPWMTHRS', 'PWMCONF']) &&
      written('stepper_z', ['GLOBALSCALER', 'CHOPCONF']);
    const t0 = Date.now();
    while (!allWritten() && Date.now() - t0 < 20_000) await sleep(100);
    console.log(`tmc live: init writes in the sim trace ${Date.now() - t0} ms after ready`);
    const x = new Map(simWrites(p, 'stepper_x'));
    // Hand-worked (see test/unit/tmc): GCONF 0x1c4 (spreadCycle: no stealthchop_threshold),
    // IHOLD_IRUN 0.8 A -> CS 25: 0x00081919, CHOPCONF 0x34030053 (dedge: the sim steps on both edges).
    expect(x.get('GCONF')).toBe(0x1c4);
    expect(x.get('IHOLD_IRUN')).toBe(0x00081919);
    expect(x.get('CHOPCONF')).toBe(0x34030053);
    // Y on the same line at address 2: 0.58 A -> CS 18, 0.4 A -> CS 12: 0x0008120c; stealthChop
    // below 100 mm/s: GCONF without en_spreadcycle, TPWMTHRS = 12 MHz * 0.00078125 mm / 100 = 94.
    const y = new Map(simWrites(p, 'stepper_y'));
    expect(y.get('IHOLD_IRUN')).toBe(0x0008120c);
    expect(y.get('GCONF')).toBe(0x1c0);
    expect(y.get('TPWMTHRS')).toBe(94);
    // Z over SPI: GLOBALSCALER 84 for 1.0 A on 0.075 ohm.
    const z = new Map(simWrites(p, 'stepper_z'));
    expect(z.get('GLOBALSCALER')).toBe(84);
    expect(z.get('CHOPCONF')).toBe(0x34410153);
  });

  it('DUMP_TMC reads the registers the models hold', async () => {
    const out = await p.run('DUMP_TMC STEPPER=stepper_x');
    expect(out).toMatch(/GCONF: +000001c4 en_spreadcycle=1 pdn_disable=1 mstep_reg_select=1 multistep_filt=1/);
    expect(out).toMatch(/CHOPCONF: +34030053 /);
    // IOIN's version byte is the chip's: 0x21 for a TMC2209.
    expect(out).toMatch(/IOIN: +21[0-9a-f]{6} .*version=33/);
    // IFCNT counts the writes the model accepted: at least the ten init writes.
    const ifcnt = parseInt(/IFCNT: +([0-9a-f]{8})/.exec(out)![1]!, 16);
    expect(ifcnt).toBeGreaterThanOrEqual(10);
    const spi = await p.run('DUMP_TMC STEPPER=stepper_z REGISTER=CHOPCONF');
    expect(spi).toMatch(/CHOPCONF: +34410153 /);
  });

  it('SET_TMC_CURRENT changes IHOLD_IRUN in the model and the status', async () => {
    const before = simWrites(p, 'stepper_x').length;
    await p.run('SET_TMC_CURRENT STEPPER=stepper_x CURRENT=0.5');
    // 0.5 A: 32*1.41421*0.5*0.13/0.18 = 16.34 -> CS 15 for run and hold (hold follows run): 0x00080f0f.
    let writes: [string, number][] = [];
    // The command returned once IFCNT counted the write; the trace shows it within its flush period (20 s under load).
    const t0 = Date.now();
    while (!writes.some(([r]) => r === 'IHOLD_IRUN') && Date.now() - t0 < 20_000) {
      await sleep(100);
      writes = simWrites(p, 'stepper_x').slice(before);
    }
    expect(writes).toContainEqual(['IHOLD_IRUN', 0x00080f0f]);
    const st = p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('tmc2209 stepper_x').getStatus();
    expect(st.run_current).toBeCloseTo(0.49, 3); // 16/32 * 0.18/0.13 / 1.41421 = 0.4895
    expect(await p.run('SET_TMC_CURRENT STEPPER=stepper_x')).toMatch(/Run Current: 0\.49A Hold Current: 0\.49A/);
  });

  it('while the motor is on, DRV_STATUS is polled into the status', async () => {
    await p.run('SET_STEPPER_ENABLE STEPPER=stepper_y ENABLE=1');
    const drv = () => p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('tmc2209 stepper_y').getStatus().drv_status;
    // Polled once a second (each poll two UART reads of ~5 ms); 10 s allows for a loaded machine.
    const t0 = Date.now();
    while (drv() === null && Date.now() - t0 < 10_000) await sleep(100);
    console.log(`tmc live: first DRV_STATUS in the status ${Date.now() - t0} ms after enabling`);
    expect(drv()).not.toBeNull();
    expect(p.host.printer.state).toBe('ready');
  });
});

describe('a TMC driver that does not answer', () => {
  it('stops start-up naming the stepper and IFCNT', async () => {
    // select_pins (an analog mux) has no sim model, so this driver never answers.
    const silent = '\n[tmc2209 stepper_x]\nuart_pin: PC0\nrun_current: 0.8\nselect_pins: PC4\n';
    await expect(startLivePrinter('tmc-silent', { edit: (cfg) => cfg + silent })).rejects.toThrow(
      /Unable to read tmc uart 'stepper_x' register IFCNT/,
    );
  }, 90_000);
});
