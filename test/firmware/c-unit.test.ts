import { describe, it } from 'vitest';
import { expectCUnitBinaryPasses } from './c-unit-runner';

// The C unit tests of the firmware core (test/firmware/c), built by `make -C firmware native`
// in the global setup.
describe('firmware C unit tests', () => {
  it('all pass, including every suite the firmware issue asks for', () => {
    expectCUnitBinaryPasses('firmware-unit', 50, [
      'crc16',
      'vlq',
      'framing and resync',
      'dispatch and shutdown',
      'queue_step math',
      'max_duration shutdown',
      'adc reports and range shutdown',
    ]);
  });
});
