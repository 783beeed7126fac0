// @vitest-environment happy-dom
import path from 'node:path';
import { it } from 'vitest';
import { flash, parseIntelHex } from '../../../src-main/flash';
import { readFileSync } from 'node:fs';
import { simBuild, startSimBoard } from '../../integration/flash/sim-board';
it('timing', async () => {
  const board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex')]);
  const t0 = Date.now();
  let last = t0;
  await flash({ board: 'arduino-uno', image: parseIntelHex(readFileSync(path.join(simBuild, 'app_atmega328p_B.hex'), 'utf8')), port: board.pty }, (e) => { const n = Date.now(); console.log('EV', n - last, JSON.stringify(e).slice(0, 80)); last = n; });
  console.log('TOTAL', Date.now() - t0);
  await board.stop();
});
