#!/usr/bin/env node
// Seed inputs for the receive-path fuzzer: command sequences that configure and run every
// feature, encoded with the fuzz build's own dictionary. First byte 0x01 = "wrap into blocks".
// Usage: node make-fuzz-seeds.mjs DICT.json CORPUS_DIR
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const [dictPath, outDir] = process.argv.slice(2);
const dict = JSON.parse(readFileSync(dictPath, 'utf8'));
const byName = new Map(Object.entries(dict.commands).map(([fmt, id]) => [fmt.split(' ')[0], { fmt, id }]));

function vlq(v, out) {
  v |= 0;
  const fits = (lo, hi) => v >= lo && v < hi;
  const n = fits(-32, 96) ? 1 : fits(-4096, 12288) ? 2 : fits(-524288, 1572864) ? 3 : fits(-67108864, 201326592) ? 4 : 5;
  for (let i = n - 1; i > 0; i--) out.push(((v >> (7 * i)) & 0x7f) | 0x80);
  out.push(v & 0x7f);
}
function cmd(name, ...args) {
  const c = byName.get(name);
  if (!c) throw new Error(`no command ${name}`);
  const out = [];
  vlq(c.id, out);
  for (const a of args) {
    if (Array.isArray(a)) out.push(a.length, ...a);
    else vlq(a, out);
  }
  return out;
}

const seeds = {
  'config-steppers': [
    cmd('allocate_oids', 6), cmd('config_stepper', 0, 1, 2, 0, 0), cmd('config_stepper', 1, 3, 4, -1, 0),
    cmd('config_endstop', 2, 5, 1), cmd('config_trsync', 3), cmd('finalize_config', 7),
    cmd('reset_step_clock', 0, 100), cmd('set_next_step_dir', 0, 1), cmd('queue_step', 0, 500, 30, 3),
    cmd('trsync_start', 3, 1000, 5000, 4), cmd('stepper_stop_on_trigger', 0, 3), cmd('trsync_set_timeout', 3, 90000),
    cmd('endstop_home', 2, 1000, 10, 4, 200, 1, 3, 1), cmd('endstop_query_state', 2), cmd('stepper_get_position', 0),
  ],
  'config-outputs': [
    cmd('allocate_oids', 4), cmd('config_digital_out', 0, 7, 0, 0, 50000), cmd('set_digital_out_pwm_cycle', 0, 1000),
    cmd('config_pwm_out', 1, 8, 1000, 0, 0, 50000), cmd('config_analog_in', 2, 9), cmd('finalize_config', 1),
    cmd('queue_digital_out', 0, 2000, 300), cmd('queue_pwm_out', 1, 2000, 100),
    cmd('query_analog_in', 2, 2000, 10, 4, 1000, 4, 0, 4000, 2), cmd('update_digital_out', 0, 1),
    cmd('set_digital_out', 10, 1), cmd('set_pwm_out', 11, 1000, 50),
  ],
  'inputs-buttons': [
    cmd('allocate_oids', 2), cmd('config_buttons', 0, 2), cmd('buttons_add', 0, 0, 12, 1), cmd('buttons_add', 0, 1, 13, 0),
    cmd('finalize_config', 2), cmd('buttons_query', 0, 2000, 500, 3, 1), cmd('buttons_ack', 0, 1), cmd('buttons_ack', 0, 9),
  ],
  'drivers-tmcuart-spi': [
    cmd('allocate_oids', 3), cmd('config_tmcuart', 0, 14, 1, 14, 1800), cmd('config_spi', 1, 15, 0),
    cmd('spi_set_sw_bus', 1, 16, 17, 18, 3, 20), cmd('config_spi_without_cs', 2), cmd('finalize_config', 3),
    cmd('tmcuart_send', 0, [0x55, 0x00, 0x06, 0x6f, 0x00, 0x00, 0x00, 0x10], 10), cmd('tmcuart_send', 0, [1, 2, 3], 0),
    cmd('spi_transfer', 1, [0x6f, 0, 0, 0, 0]), cmd('spi_send', 1, [0xec, 0, 1, 0, 0x53]), cmd('spi_transfer', 2, [1]),
  ],
  // ADXL345 accelerometer: polling started and stopped, a status query, one on an SPI device
  // without a bus (a shutdown when the poll reads it) and a lookup of a non-SPI oid.
  'sensors-adxl345': [
    cmd('allocate_oids', 4), cmd('config_spi', 0, 15, 0), cmd('spi_set_sw_bus', 0, 16, 17, 18, 3, 20),
    cmd('config_adxl345', 1, 0), cmd('config_spi_without_cs', 2), cmd('config_adxl345', 3, 2), cmd('finalize_config', 6),
    cmd('spi_send', 0, [0x2c, 0x0f]), cmd('query_adxl345', 1, 2000), cmd('query_adxl345_status', 1),
    cmd('get_uptime'), cmd('query_adxl345', 1, 0), cmd('query_adxl345_status', 3), cmd('query_adxl345', 3, 500),
  ],
  // Displays and I2C (the fuzz board has no hardware I2C: i2c_set_bus shuts down; software
  // I2C runs on its pins with nobody answering).
  'displays-i2c': [
    cmd('allocate_oids', 4), cmd('config_st7920', 0, 20, 21, 22, 900, 1000), cmd('config_hd44780', 1, 23, 24, 25, 26, 27, 28, 2000),
    cmd('config_i2c', 2), cmd('i2c_set_sw_bus', 2, 29, 30, 10, 0x3c), cmd('config_i2c', 3), cmd('finalize_config', 4),
    cmd('st7920_send_cmds', 0, [0x30, 0x0c, 0x80]), cmd('st7920_send_data', 0, [0x54, 0x65, 0x74, 0x68]),
    cmd('st7920_send_cmds', 0, [0x34, 0x36, 0x85, 0x80]), cmd('st7920_send_data', 0, [0xaa, 0x55]),
    cmd('hd44780_send_cmds', 1, [0x33, 0x32, 0x28, 0x0c]), cmd('hd44780_send_data', 1, [0x48, 0x69]),
    cmd('i2c_transfer', 2, [0x00, 0xae, 0xaf], 0), cmd('i2c_transfer', 2, [0x40, 1, 2, 3], 2), cmd('i2c_transfer', 3, [1], 1),
    cmd('i2c_set_bus', 3, 0, 100000, 0x3d),
  ],
  // LED chains: a neopixel buffer written in pieces (one past its end: a shutdown), sent, and a
  // dotstar frame over software SPI (the fuzz board's neopixel_send always reports bad timing).
  'leds-neopixel': [
    cmd('allocate_oids', 3), cmd('config_neopixel', 0, 31, 9, 64, 800), cmd('config_spi_without_cs', 1),
    cmd('spi_set_sw_bus', 1, 32, 32, 33, 0, 16), cmd('config_neopixel', 2, 34, 3, 64, 800), cmd('finalize_config', 5),
    cmd('neopixel_update', 0, 0, [0x10, 0x20, 0x30, 0x40]), cmd('neopixel_update', 0, 4, [1, 2, 3, 4, 5]),
    cmd('neopixel_send', 0), cmd('neopixel_send', 2), cmd('spi_send', 1, [0, 0, 0, 0, 0xff, 1, 2, 3, 0xff, 0xff, 0xff, 0xff]),
    cmd('neopixel_update', 0, 7, [9, 9, 9]),
  ],
  'base': [
    cmd('get_uptime'), cmd('get_clock'), cmd('get_config'), cmd('debug_ping', [1, 2, 3]), cmd('debug_nop'),
    cmd('identify', 0, 40), cmd('emergency_stop'), cmd('get_config'), cmd('clear_shutdown'), cmd('reset'),
  ],
};
mkdirSync(outDir, { recursive: true });
for (const [name, parts] of Object.entries(seeds)) {
  writeFileSync(path.join(outDir, `seed-${name}`), Buffer.from([0x01, ...parts.flat()]));
}
