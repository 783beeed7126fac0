// Batch mode writes every object's MCU config as Klipper's batch mode does, heaters and sensors
// included: compared with Klipper's decoded output for bench-cartesian.cfg + atmega2560.dict
// (shared/reference/klipper-out). Oids differ (our steppers, endstops and enable pins take their
// oids in another order than Klipper's, which allots heater oids only at config time after all
// stepper oids), so objects are compared by their config commands with the oid taken out: the
// same set of objects, each configured by the same commands with the same values.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src-main/host/batch';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { referenceDir, testOutputDir } from '../../support/paths';

const dir = path.join(testOutputDir, 'batch-heaters');
const dictPath = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const cfgPath = path.join(referenceDir, 'bench/bench-cartesian.cfg');

/** The config phase (allocate_oids .. finalize_config) and the init commands right after it. */
interface ConfigPhase {
  allocate: string;
  config: string[];
  init: string[];
}

function configPhase(lines: string[]): ConfigPhase {
  const end = lines.findIndex((l) => l.startsWith('finalize_config'));
  expect(end).toBeGreaterThan(0);
  const init: string[] = [];
  // Init commands: sensor queries and heater pins' initial state, before any motion.
  for (const l of lines.slice(end + 1)) {
    if (!/^(query_analog_in|queue_digital_out) /.test(l)) break;
    init.push(l);
  }
  return { allocate: lines[0], config: lines.slice(1, end), init };
}

const oidOf = (l: string) => Number(/ oid=(\d+)/.exec(l)?.[1] ?? -1);
const noOid = (l: string) => l.replace(/ oid=\d+/, '');

/** Each object's config commands (oid taken out), as sorted strings: order-free comparison. */
function objects(config: string[]): string[] {
  const byOid = new Map<number, string[]>();
  for (const l of config) {
    const oid = oidOf(l);
    byOid.set(oid, [...(byOid.get(oid) ?? []), noOid(l)]);
  }
  return [...byOid.values()].map((cmds) => cmds.join(' | ')).sort();
}

/** Heater pins: the oids of digital outs with a max_duration (enable pins have 0). */
function heaterPinOids(config: string[]): Set<number> {
  return new Set(config.filter((l) => /^config_digital_out .*max_duration=[1-9]/.test(l)).map(oidOf));
}

let ours: ConfigPhase;
let theirs: ConfigPhase;

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  const gcode = path.join(dir, 'heat.gcode');
  fs.writeFileSync(gcode, 'SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5\nM140 S60\nM104 S200\nM190 S60\nM109 S200\nG1 X10 Y10 F3000\n');
  const out = path.join(dir, 'heat.serial');
  await runBatch({ configPath: cfgPath, inputPath: gcode, outputPath: out, dictPath });
  const lines: string[] = [];
  decodeStream(loadDictionaryFile(dictPath), fs.readFileSync(out), (l) => lines.push(l));
  ours = configPhase(lines);
  const ref = zlib.gunzipSync(fs.readFileSync(path.join(referenceDir, 'klipper-out/zigzag-10k.klipper-decoded.txt.gz'))).toString();
  theirs = configPhase(ref.split('\n', 200));
}, 60_000);

describe('batch mode configures heaters and sensors like Klipper (bench-cartesian, atmega2560)', () => {
  it('allocates as many oids as Klipper', () => {
    expect(ours.allocate).toBe(theirs.allocate);
  });

  it('configures the same objects with the same commands and values (oids aside)', () => {
    expect(theirs.config.some((l) => l.startsWith('config_analog_in'))).toBe(true);
    expect(objects(ours.config)).toEqual(objects(theirs.config));
  });

  it('each heater: ADC then its PWM pin, set_digital_out_pwm_cycle right after config_digital_out', () => {
    for (const phase of [ours, theirs]) {
      const heaters = heaterPinOids(phase.config);
      expect(heaters.size).toBe(2);
      for (const oid of heaters) {
        const at = phase.config.findIndex((l) => l.startsWith('config_digital_out') && oidOf(l) === oid);
        expect(phase.config[at + 1]).toBe(`set_digital_out_pwm_cycle oid=${oid} cycle_ticks=1600000`);
        // The heater's own sensor is configured just before its pin.
        expect(phase.config[at - 1]).toMatch(/^config_analog_in /);
      }
    }
    // Same sensor/heater pairs as Klipper: bed PK6 -> PH5, extruder PK5 -> PB4.
    const pairs = (p: ConfigPhase) =>
      [...heaterPinOids(p.config)]
        .map((oid) => {
          const at = p.config.findIndex((l) => l.startsWith('config_digital_out') && oidOf(l) === oid);
          return `${/pin=(\S+)/.exec(p.config[at - 1])![1]}->${/pin=(\S+)/.exec(p.config[at])![1]}`;
        })
        .sort();
    expect(pairs(ours)).toEqual(pairs(theirs));
    expect(pairs(ours)).toEqual(['PK5->PB4', 'PK6->PH5']);
  });

  it('starts every sensor query and heater pin as Klipper does after finalize_config', () => {
    // Same queries (sample timing, ADC range from min_temp/max_temp) apart from oid and slot clock.
    const queries = (p: ConfigPhase) => p.init.filter((l) => l.startsWith('query_analog_in'));
    const shape = (l: string) => noOid(l).replace(/ clock=\d+/, '');
    expect(queries(ours).map(shape).sort()).toEqual(queries(theirs).map(shape).sort());
    expect(queries(ours)).toHaveLength(2);
    // The first query is 1 s into print time plus 10 ms per oid (16 MHz): Klipper's rule, which
    // its own output follows too.
    for (const l of [...queries(ours), ...queries(theirs)]) {
      expect(Number(/clock=(\d+)/.exec(l)![1])).toBe(16_000_000 + oidOf(l) * 160_000);
    }
    // Heater pins start off at print time 0.2 s.
    const pinStarts = (p: ConfigPhase) =>
      p.init.filter((l) => l.startsWith('queue_digital_out') && heaterPinOids(p.config).has(oidOf(l))).map(noOid);
    expect(pinStarts(ours)).toEqual(pinStarts(theirs));
    expect(pinStarts(ours)).toEqual(['queue_digital_out clock=3200000 on_ticks=0', 'queue_digital_out clock=3200000 on_ticks=0']);
  });
});

describe('batch mode: [temperature_sensor] and sensor errors', () => {
  const run = async (name: string, extra: string): Promise<string[]> => {
    fs.mkdirSync(dir, { recursive: true });
    const cfg = path.join(dir, `${name}.cfg`);
    fs.writeFileSync(cfg, fs.readFileSync(cfgPath, 'utf8') + extra);
    const gcode = path.join(dir, `${name}.gcode`);
    fs.writeFileSync(gcode, 'M105\n');
    const out = path.join(dir, `${name}.serial`);
    await runBatch({ configPath: cfg, inputPath: gcode, outputPath: out, dictPath });
    const lines: string[] = [];
    decodeStream(loadDictionaryFile(dictPath), fs.readFileSync(out), (l) => lines.push(l));
    return lines;
  };

  it('a temperature sensor gets its ADC and range-checked query like a heater sensor', async () => {
    const lines = await run(
      'chamber',
      '\n[temperature_sensor chamber]\nsensor_type: Generic 3950\nsensor_pin: PK7\nmin_temp: 0\nmax_temp: 80\n',
    );
    const { allocate, config, init } = configPhase(lines);
    expect(allocate).toBe('allocate_oids count=19');
    const adc = config.find((l) => l.includes('pin=PK7'));
    expect(adc).toMatch(/^config_analog_in oid=\d+ pin=PK7$/);
    const query = init.find((l) => l.startsWith(`query_analog_in oid=${oidOf(adc!)} `));
    expect(query).toBeDefined();
    // 0..80 C on a 100k NTC with 4.7k pullup: a narrower ADC window than the bed's 0..110 C.
    const range = (l: string) => [Number(/min_value=(\d+)/.exec(l)![1]), Number(/max_value=(\d+)/.exec(l)![1])];
    const bedQuery = init.find((l) => l.startsWith('query_analog_in') && l.includes('min_value=4100'))!;
    expect(range(query!)[0]).toBeGreaterThan(range(bedQuery)[0]!);
    expect(range(query!)[1]).toBeGreaterThan(8000);
  });

  it('a sensor type batch mode cannot configure fails with the option and file:line', async () => {
    await expect(
      run('max31855', '\n[temperature_sensor board]\nsensor_type: MAX31855\nsensor_pin: PK7\nmin_temp: 0\nmax_temp: 80\n'),
    ).rejects.toThrow(/Unknown temperature sensor 'MAX31855'.*max31855\.cfg:\d+/s);
  });
});
