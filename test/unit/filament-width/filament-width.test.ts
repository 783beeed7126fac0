// [hall_filament_width_sensor] and [tsl1401cl_filament_width_sensor] on a batch host: readings
// are fed in (batch mode has no ADC); the diameter follows the calibration; flow changes (M221,
// seen as gcode_move's extrude factor) only once the extruder has pushed measurement_delay mm
// past the measurement; implausible readings give 100%; the hall sensor's runout check; the
// commands and status; bad options.
import { afterEach, describe, expect, it } from 'vitest';
import type { FilamentWidthSensor } from '../../../src-main/host/objects/filament-width-sensor';
import { statusOf } from '../../../src-main/host/objects/status-objects';
import { STARTUP_QUIET_S } from '../../../src-main/host/objects/filament-switch-sensor-runout';
import { startBatchHost, type BatchHost } from '../extras2/batch-host';
import { CARTESIAN, loadError } from '../objects/load-helpers';

const HALL = `[hall_filament_width_sensor]
adc1: PK3
adc2: PK4
cal_dia1: 1.50
cal_dia2: 2.00
raw_dia1: 9500
raw_dia2: 10500
default_nominal_filament_diameter: 1.75
max_difference: 0.2
measurement_delay: 50
measurement_interval: 10
enable: True
`;
const TSL = `[tsl1401cl_filament_width_sensor]
pin: PK3
default_nominal_filament_diameter: 1.75
max_difference: 0.2
measurement_delay: 30
`;

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const extrudeFactor = (h: BatchHost) => statusOf(h.h.printer, 'gcode_move')!.extrude_factor as number;

describe('[hall_filament_width_sensor]', () => {
  it('turns the two ADC readings into a diameter and sets the flow when that filament reaches the nozzle', async () => {
    host = await startBatchHost(HALL);
    const s = host.h.printer.lookupObject<FilamentWidthSensor>('hall_filament_width_sensor');
    // RAW 10000 (0.5 + 0.5 of full scale) is midway between the rods: 1.75 mm.
    s.onReading(0, 0.5);
    s.onReading(1, 0.5);
    expect(s.diameterMm).toBeCloseTo(1.75, 9);
    expect(await host.run('QUERY_RAW_FILAMENT_WIDTH')).toMatch(/ADC1=5000 ADC2=5000 RAW=10000/);
    // 1.70 mm filament (RAW 9900) passes the sensor at E=0 ...
    s.onReading(1, 0.49);
    expect(s.diameterMm).toBeCloseTo(1.7, 9);
    expect(await host.run('QUERY_FILAMENT_WIDTH')).toMatch(/Filament diameter \(measured\): 1\.70 mm/);
    await s.update();
    expect(s.queue).toEqual([[50, 1.7]]);
    expect(extrudeFactor(host)).toBe(1);
    // ... and reaches the nozzle after 50 mm of extrusion: flow (1.75/1.70)^2 = 106%.
    await host.run('G28\nM83\nM104 S0\nG1 E49 F600\nM400');
    await s.update();
    expect(extrudeFactor(host)).toBe(1);
    await host.run('G1 E2 F600\nM400');
    await s.update();
    expect(s.flowPercent).toBe(Math.round((1.75 / 1.7) ** 2 * 100));
    expect(extrudeFactor(host)).toBeCloseTo(1.06, 9);
    expect(statusOf(host.h.printer, 'hall_filament_width_sensor')).toEqual({
      Diameter: 1.7,
      Raw: 9900,
      is_active: true,
      filament_detected: true,
      enabled: true,
    });
    // A reading 0.3 mm off nominal is not trusted: back to 100% when it arrives.
    s.onReading(0, 0.445);
    expect(s.diameterMm).toBeCloseTo(1.425, 9);
    await host.run('G1 E10 F600\nM400');
    await s.update();
    await host.run('G1 E30 F600\nG1 E30\nM400');
    await s.update();
    expect(extrudeFactor(host)).toBe(1);
    // Reset empties the queue; disabled, nothing changes the flow.
    s.onReading(0, 0.49);
    await host.run('RESET_FILAMENT_WIDTH_SENSOR\nDISABLE_FILAMENT_WIDTH_SENSOR');
    expect(s.queue).toEqual([]);
    await s.update();
    await host.run('G1 E30 F600\nG1 E30\nM400');
    await s.update();
    expect(extrudeFactor(host)).toBe(1);
    expect(statusOf(host.h.printer, 'hall_filament_width_sensor')!.is_active).toBe(false);
    await host.run('ENABLE_FILAMENT_WIDTH_SENSOR');
    expect(s.enabled).toBe(true);
  }, 30_000);

  it('refuses bad options naming the section and option', () => {
    expect(loadError(`${CARTESIAN}\n${HALL.replace('adc2: PK4\n', '')}`)).toMatch(
      /adc2.*hall_filament_width_sensor|hall_filament_width_sensor.*adc2/s,
    );
    expect(loadError(`${CARTESIAN}\n${HALL.replace('raw_dia2: 10500', 'raw_dia2: 9500')}`)).toMatch(
      /raw_dia1 and raw_dia2 in section 'hall_filament_width_sensor' must differ/,
    );
    expect(loadError(`${CARTESIAN}\n${HALL}insert_gcode: {% if %}\n`)).toMatch(/insert_gcode/);
    expect(loadError(`${CARTESIAN}\n${HALL}switch_pin: PK5\n`)).toMatch(
      /Option 'switch_pin' is not valid in section 'hall_filament_width_sensor'/,
    );
    expect(loadError(`${CARTESIAN}\n${HALL.replace('default_nominal_filament_diameter: 1.75\n', '')}`)).toMatch(
      /default_nominal_filament_diameter/,
    );
  });
});

describe('[hall_filament_width_sensor] runout', () => {
  it('counts filament below min_diameter as gone and runs insert_gcode when it is back (not printing)', async () => {
    host = await startBatchHost(`${HALL}pause_on_runout: False\ninsert_gcode: M117 filament back\n`);
    const s = host.h.printer.lookupObject<FilamentWidthSensor>('hall_filament_width_sensor');
    // Events count from STARTUP_QUIET_S after ready (wall time).
    await new Promise((r) => setTimeout(r, (STARTUP_QUIET_S + 0.2) * 1000));
    s.onReading(0, 0.05);
    s.onReading(1, 0.05); // RAW 1000: far below min_diameter (1.0 mm)
    expect(statusOf(host.h.printer, 'hall_filament_width_sensor')!.filament_detected).toBe(false);
    s.onReading(0, 0.5);
    s.onReading(1, 0.5);
    expect(statusOf(host.h.printer, 'hall_filament_width_sensor')!.filament_detected).toBe(true);
    await s.runout!.running;
    expect(s.runout!.events.map((e) => e.kind)).toEqual(['insert']);
    expect(statusOf(host.h.printer, 'display_status')!.message).toBe('filament back');
  });
});

describe('[tsl1401cl_filament_width_sensor]', () => {
  it('reads 5 mm at full scale and compensates after measurement_delay', async () => {
    host = await startBatchHost(TSL);
    const s = host.h.printer.lookupObject<FilamentWidthSensor>('tsl1401cl_filament_width_sensor');
    s.onReading(0, 1.8 / 5);
    expect(s.diameterMm).toBeCloseTo(1.8, 9);
    await s.update();
    await host.run('G28\nM83\nG1 E31 F600\nM400');
    await s.update();
    expect(s.flowPercent).toBe(Math.round((1.75 / 1.8) ** 2 * 100));
    expect(extrudeFactor(host)).toBeCloseTo(0.95, 9);
    expect(statusOf(host.h.printer, 'tsl1401cl_filament_width_sensor')).toEqual({ Diameter: 1.8, is_active: true });
    await expect(host.run('QUERY_RAW_FILAMENT_WIDTH')).rejects.toThrow(/Unknown command/);
  });
});
