// The preview's link to a printer: build volume from the config's steppers, what is printing
// from print_stats/virtual_sdcard, and live progress only when the previewed file is that file.
import { beforeEach, describe, expect, it } from 'vitest';
import { buildVolumeFromConfig, printingFrom } from '../../../src-renderer/features/preview/hostLink';
import { defaultBuildVolume, usePreviewStore } from '../../../src-renderer/features/preview/previewStore';
import { scanGcode } from '../../../src-renderer/features/preview/parser/gcodeScanner';

describe('preview host link', () => {
  it('takes the build volume from [stepper_x/y/z] position_min/max (strings, as configfile gives them)', () => {
    expect(
      buildVolumeFromConfig({
        stepper_x: { position_max: '200', position_min: '-5' },
        stepper_y: { position_max: '210' },
        stepper_z: { position_max: '180.5', position_min: '0' },
      }),
    ).toEqual({ x: [-5, 200], y: [0, 210], z: [0, 180.5] });
    // A delta (no stepper_x position_max) or a broken value: no volume, the default stays.
    expect(buildVolumeFromConfig({ stepper_a: { position_max: '300' } })).toBeNull();
    expect(
      buildVolumeFromConfig({ stepper_x: { position_max: 'abc' }, stepper_y: { position_max: '1' }, stepper_z: { position_max: '1' } }),
    ).toBeNull();
    expect(buildVolumeFromConfig(undefined)).toBeNull();
  });

  it('reads what is printing; idle (standby or no file) is null', () => {
    expect(
      printingFrom({
        print_stats: { state: 'printing', filename: 'part.gcode' },
        virtual_sdcard: { file_position: 1234, progress: 0.25, is_active: true },
      }),
    ).toEqual({ fileName: 'part.gcode', filePosition: 1234, state: 'printing', progress: 0.25 });
    expect(printingFrom({ print_stats: { state: 'standby', filename: '' }, virtual_sdcard: { file_position: 0 } })).toBeNull();
    expect(printingFrom({})).toBeNull();
  });

  describe('store', () => {
    const text = 'G90\nM83\n;LAYER_CHANGE\nG1 Z0.2\nG1 X10 Y0 E1\nG1 X10 Y10 E1\n;LAYER_CHANGE\nG1 Z0.4\nG1 X0 Y10 E1\nG1 X0 Y0 E1\n';
    const tp = scanGcode(new TextEncoder().encode(text));
    beforeEach(() => {
      usePreviewStore.getState().clear();
      usePreviewStore.getState().setPrinting(null);
      usePreviewStore.setState({ buildVolume: defaultBuildVolume });
    });

    it('shows live progress when the printer prints the previewed file, not another one', () => {
      const store = usePreviewStore.getState();
      store.setToolpath(tp, 'part.gcode');
      const second = text.indexOf('G1 X0 Y10');
      store.setPrinting({ fileName: 'other.gcode', filePosition: second, state: 'printing', progress: 0.5 });
      expect(usePreviewStore.getState().liveSegment).toBeNull();
      store.setPrinting({ fileName: 'part.gcode', filePosition: second, state: 'printing', progress: 0.5 });
      expect(usePreviewStore.getState().liveLayer).toBe(1);
      expect(usePreviewStore.getState().liveSegment).toBe(tp.layers.startSegment[1] + 1);
      // The print ends (standby): progress goes away.
      store.setPrinting(null);
      expect(usePreviewStore.getState().liveSegment).toBeNull();
    });

    it('a file opened from the printer matches by its folder name; a progress given before the load applies after it', () => {
      const store = usePreviewStore.getState();
      store.setPrinting({ fileName: 'sub/part.gcode', filePosition: text.length, state: 'printing', progress: 0.99 });
      usePreviewStore.setState({ hostFileName: 'sub/part.gcode' });
      store.setToolpath(tp, 'part.gcode');
      expect(usePreviewStore.getState().liveSegment).toBe(tp.segmentCount);
    });
  });
});
