import { describe, it } from 'vitest';
import { expectCUnitBinaryPasses } from './c-unit-runner';

// The STM32 USB CDC-ACM class layer (firmware/boards/stm32/usb/usb_cdc.c, the same source the
// USB images link) run on the host against a scripted endpoint driver
// (test/firmware/c/usb_cdc_test.c), built by `make -C firmware native` in the global setup.
// It proves the descriptors and the control-request answers; the OTG_FS register driver and
// enumeration on real silicon are not tested (no simulator has the peripheral).
describe('STM32 USB CDC class layer', () => {
  it('all checks pass', () => {
    expectCUnitBinaryPasses('usb-cdc-unit', 100, [
      'device descriptor',
      'configuration descriptor',
      'string descriptors UTF-16LE',
      'SET_ADDRESS and SET_CONFIGURATION',
      'CDC line coding and control lines',
      'bulk data both ways',
    ]);
  });
});
