import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildFirmware,
  checkToolchain,
  describeBuildStep,
  firmwareMcus,
  firstCompileError,
  FlashError,
  isBuildStepLine,
  loadBoardCatalog,
  planFirmwareBuild,
  type RunProbe,
} from '../../../src-main/flash';
import { repoRoot } from '../../support/paths';

const catalog = loadBoardCatalog();
const board = (id: string) => catalog.byId(id)!;
async function failureOf(p: Promise<unknown>): Promise<FlashError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FlashError) return e;
    throw e;
  }
  throw new Error('expected a FlashError');
}

const makefile = readFileSync(path.join(repoRoot, 'firmware/Makefile'), 'utf8');

// Lines as make printed them for `make avr` (dry run and real run), with compiler chatter mixed in.
const NODE = '/usr/bin/node';
const RECORDED = `make: Entering directory '/work/main/firmware'
mkdir -p /tmp/b/avr-atmega328p-16000000
sh boards/avr/consts.sh atmega328p 16000000 > /tmp/b/avr-atmega328p-16000000/consts.c
/usr/bin/node tools/gen-dict.mjs --out /tmp/b/avr-atmega328p-16000000 --json /tmp/b/avr-atmega328p-16000000/tether.dict.json --cc avr-gcc core/adccmds.c
touch /tmp/b/avr-atmega328p-16000000/gen.stamp
avr-gcc -std=gnu11 -mmcu=atmega328p -DF_CPU=16000000UL -Os -flto -o /tmp/b/avr-atmega328p-16000000/tether.elf core/adccmds.c boards/avr/main.c
core/adccmds.c: In function 'query_analog_in':
core/adccmds.c:40:12: warning: unused variable 'x' [-Wunused-variable]
avr-objcopy -O ihex -R .eeprom /tmp/b/avr-atmega328p-16000000/tether.elf /tmp/b/avr-atmega328p-16000000/tether.hex
avr-objcopy -O binary -R .eeprom /tmp/b/avr-atmega328p-16000000/tether.elf /tmp/b/avr-atmega328p-16000000/tether.bin
make: Leaving directory '/work/main/firmware'`.split('\n');

describe('build progress from make output', () => {
  it('counts the commands make runs, not its chatter, mkdir/touch or compiler messages', () => {
    const steps = RECORDED.filter((l) => isBuildStepLine(l, NODE));
    expect(steps.map((l) => describeBuildStep(l))).toEqual(['sh consts.sh', 'node gen-dict.mjs', 'avr-gcc → tether.elf', 'avr-objcopy', 'avr-objcopy']);
  });

  it('recognises the Arm tools, Windows .exe names and an Electron binary running the generator', () => {
    expect(isBuildStepLine('arm-none-eabi-gcc -std=gnu11 -mcpu=cortex-m3 -o x/tether.elf a.c')).toBe(true);
    expect(isBuildStepLine('arm-none-eabi-objcopy -O binary x/tether.elf x/tether.bin')).toBe(true);
    expect(isBuildStepLine('C:\\msys64\\ucrt64\\bin\\avr-gcc.exe -mmcu=atmega2560 -o t.elf a.c')).toBe(true);
    expect(isBuildStepLine('/opt/Tether/tether tools/gen-dict.mjs --out x', '/opt/Tether/tether')).toBe(true);
    expect(isBuildStepLine('/opt/Tether/tether tools/gen-dict.mjs --out x', NODE)).toBe(false);
    expect(isBuildStepLine('core/sched.c:12:5: error: expected ; before }')).toBe(false);
    expect(isBuildStepLine('make[1]: *** [Makefile:80: build/x] Error 1')).toBe(false);
    expect(isBuildStepLine('')).toBe(false);
  });

  it('finds the first compiler or linker error for the failure message', () => {
    expect(firstCompileError(['avr-gcc -o x.elf a.c', "core/sched.c:12:5: error: 'foo' undeclared", 'core/b.c:3:1: error: second'])).toBe("core/sched.c:12:5: error: 'foo' undeclared");
    expect(firstCompileError(["/usr/bin/ld: tether.elf section `.text' will not fit in region `FLASH'", "region `FLASH' overflowed by 1204 bytes"])).toBe("region `FLASH' overflowed by 1204 bytes");
    expect(firstCompileError(['all good'])).toBeUndefined();
  });
});

describe('build plan from the catalog and the firmware Makefile', () => {
  it('reads the supported chips from the Makefile', () => {
    const mcus = firmwareMcus(makefile);
    expect(mcus.avr).toEqual(expect.arrayContaining(['atmega2560', 'atmega1284p', 'atmega644p', 'atmega328p']));
    expect(mcus.stm32).toEqual(expect.arrayContaining(['stm32f103xe', 'stm32f446xe']));
    expect(mcus.stm32).not.toContain('qemu-stm32f405');
  });

  it('AVR boards build by chip and clock; STM32 boards by chip, bootloader offset and crystal', () => {
    expect(planFirmwareBuild(board('arduino-uno'), makefile)).toMatchObject({ target: 'avr', imageFile: 'tether.hex', variables: { MCU: 'atmega328p', F_CPU: '16000000' } });
    expect(planFirmwareBuild(board('creality-v4.2.2'), makefile)).toMatchObject({
      target: 'stm32',
      imageFile: 'tether.bin',
      serial: 'usart',
      // The catalog opens Creality's CH340 port at 115200: the image must talk at that baud.
      variables: { MCU: 'stm32f103xe', OFFSET: '28672', HSE_HZ: '8000000', SERIAL_BAUD: '115200' },
    });
    const octopus = planFirmwareBuild(board('btt-octopus-v1.1'), makefile).variables;
    expect(octopus).toMatchObject({ MCU: 'stm32f446xe', OFFSET: '32768', HSE_HZ: '12000000' });
    expect(octopus.SERIAL_BAUD).toBeUndefined();
  });

  it('native-USB boards ask for SERIAL=usb once the firmware has it, and warn while it does not', () => {
    const withoutUsb = makefile.replace(/^SERIAL\s*\??=.*$/m, '');
    const plain = planFirmwareBuild(board('btt-octopus-v1.1'), withoutUsb);
    expect(plain.serial).toBe('usb');
    expect(plain.variables.SERIAL).toBeUndefined();
    expect(plain.warnings.join(' ')).toMatch(/no USB CDC yet.*USART1/);
    const withUsb = planFirmwareBuild(board('btt-octopus-v1.1'), `${withoutUsb}\nSERIAL ?= usart\n`);
    expect(withUsb.variables.SERIAL).toBe('usb');
    expect(withUsb.warnings).toEqual([]);
  });

  it('builds the USART image, with the warning, for a native-USB chip whose USB has no driver', () => {
    // The F103's USB peripheral is not the F4's OTG_FS: the Makefile lists it nowhere in STM32_USB_MCUS.
    const plan = planFirmwareBuild(board('btt-skr-mini-e3-v2'), makefile);
    expect(plan.serial).toBe('usb');
    expect(plan.variables.SERIAL).toBeUndefined();
    expect(plan.warnings.join(' ')).toMatch(/no USB CDC yet.*USART1/);
  });

  it('refuses boards whose chip our firmware does not support, naming what it supports', () => {
    for (const id of ['btt-skr-pico', 'btt-skr-1.4-turbo', 'arduino-due', 'btt-skr-mini-e3-v3']) {
      const err = (() => {
        try {
          planFirmwareBuild(board(id), makefile);
        } catch (e) {
          return e as FlashError;
        }
        throw new Error(`${id} should not be buildable`);
      })();
      expect(err.code).toBe('no-firmware');
      expect(err.message).toMatch(/does not support .* yet \(it builds for .*atmega328p/);
    }
  });

  it('an installation without firmware sources says so before checking any compiler', async () => {
    const err = await failureOf(buildFirmware(board('arduino-uno'), { sourceDir: undefined, outputRoot: '/nonexistent' }));
    expect(err.code).toBe('no-firmware');
    expect(err.fix).toMatch(/packaged image/);
  });
});

describe('toolchain check', () => {
  // A probe that answers like the real tools, minus the ones named missing.
  const probe =
    (missing: string[], opts: { noNewlib?: boolean; noAvrLibc?: boolean } = {}): RunProbe =>
    (command, args) => {
      if (missing.includes(command)) return null;
      if (args[0] === '--version') return { status: 0, stdout: `${command} (GCC) 12.2\nCopyright`, stderr: '' };
      if (args[0] === '-print-file-name=nano.specs') return { status: 0, stdout: opts.noNewlib ? 'nano.specs\n' : '/usr/lib/arm-none-eabi/newlib/nano.specs\n', stderr: '' };
      if (args.includes('-E')) return opts.noAvrLibc ? { status: 1, stdout: '', stderr: 'avr/io.h: No such file or directory' } : { status: 0, stdout: '', stderr: '' };
      return { status: 0, stdout: '', stderr: '' };
    };

  it('a complete toolchain is ok and reports versions for the log', () => {
    const s = checkToolchain('avr', 'linux', probe([]));
    expect(s.ok).toBe(true);
    expect(s.found['avr-gcc']).toBe('avr-gcc (GCC) 12.2');
  });

  it('a missing AVR compiler names the package for this system first, then the others', () => {
    const linux = checkToolchain('avr', 'linux', probe(['avr-gcc']));
    expect(linux.ok).toBe(false);
    expect(linux.problems.map((p) => p.tool)).toEqual(['avr-gcc', 'avr-libc']);
    expect(linux.problems[0].message).toMatch(/avr-gcc is not installed/);
    expect(linux.problems[0].fix).toMatch(/^Install it — Debian\/Ubuntu: sudo apt install gcc-avr binutils-avr avr-libc; macOS \(Homebrew\): brew tap osx-cross\/avr/);
    expect(checkToolchain('avr', 'darwin', probe(['avr-gcc'])).problems[0].fix).toMatch(/^Install it — macOS \(Homebrew\): brew tap osx-cross\/avr && brew install avr-gcc/);
    expect(checkToolchain('avr', 'win32', probe(['avr-gcc'])).problems[0].fix).toMatch(/^Install it — Windows: MSYS2: pacman -S mingw-w64-ucrt-x86_64-avr-toolchain/);
  });

  it('finds a compiler without its C library (avr-libc, newlib) and make missing', () => {
    expect(checkToolchain('avr', 'linux', probe([], { noAvrLibc: true })).problems.map((p) => p.tool)).toEqual(['avr-libc']);
    const arm = checkToolchain('stm32', 'linux', probe(['make'], { noNewlib: true }));
    expect(arm.problems.map((p) => p.tool)).toEqual(['make', 'newlib-nano']);
    expect(arm.problems[1].fix).toMatch(/sudo apt install libnewlib-arm-none-eabi/);
    expect(arm.problems[1].fix).toMatch(/gcc-arm-embedded/);
  });

  it('a build without the toolchain fails before running make, with the install fix', async () => {
    const err = await failureOf(
      buildFirmware(board('creality-v4.2.2'), {
        sourceDir: path.join(repoRoot, 'firmware'),
        outputRoot: '/nonexistent',
        toolchain: (target) => checkToolchain(target, 'linux', probe(['arm-none-eabi-gcc'])),
      }),
    );
    expect(err.code).toBe('tool-missing');
    expect(err.message).toMatch(/Cannot build firmware for Creality 4.2.2.*arm-none-eabi-gcc is not installed/);
    expect(err.fix).toMatch(/sudo apt install gcc-arm-none-eabi libnewlib-arm-none-eabi/);
  });
});
