// Is the compiler for a board's firmware installed? Checks each tool the firmware Makefile runs
// and says which package provides a missing one on Debian/Ubuntu, macOS (Homebrew) and Windows.
import { spawnSync } from 'node:child_process';

/** Which firmware Makefile target builds a board: AVR (gcc-avr) or STM32 (arm-none-eabi-gcc). */
export type FirmwareTarget = 'avr' | 'stm32';

/** One missing piece and how to install it on each system. */
export interface ToolchainProblem {
  /** What is missing: a program ('avr-gcc', 'make') or a library ('avr-libc', 'newlib-nano'). */
  tool: string;
  /** Debian/Ubuntu, Homebrew and Windows (MSYS2) install commands. */
  install: { debian: string; homebrew: string; windows: string };
  /** A sentence naming what is missing and what it is for. */
  message: string;
  /** The install command for this system first, then the others. */
  fix: string;
}

export interface ToolchainStatus {
  target: FirmwareTarget;
  ok: boolean;
  problems: ToolchainProblem[];
  /** Versions of what was found (first line of `--version`), for the build log. */
  found: Record<string, string>;
}

interface ToolSpec {
  tool: string;
  what: string;
  install: ToolchainProblem['install'];
  /** Present when this returns true. */
  present: (run: RunProbe) => { ok: boolean; version?: string };
}

/** Runs a probe command; injected in tests. Returns null when the program does not exist. */
export type RunProbe = (command: string, args: string[], input?: string) => { status: number | null; stdout: string; stderr: string } | null;

const realProbe: RunProbe = (command, args, input) => {
  const r = spawnSync(command, args, { input, encoding: 'utf8', timeout: 15_000 });
  if (r.error) return null;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

const versionOf = (command: string) => (run: RunProbe) => {
  const r = run(command, ['--version']);
  return r && r.status === 0 ? { ok: true, version: (r.stdout || r.stderr).split('\n')[0].trim() } : { ok: false };
};

const MAKE: ToolSpec = {
  tool: 'make',
  what: 'GNU make runs the firmware build',
  install: { debian: 'sudo apt install make', homebrew: 'xcode-select --install (or brew install make)', windows: 'MSYS2: pacman -S make' },
  present: versionOf('make'),
};

const AVR_TOOLS: ToolSpec[] = [
  {
    tool: 'avr-gcc',
    what: 'the AVR C compiler builds firmware for ATmega boards',
    install: { debian: 'sudo apt install gcc-avr binutils-avr avr-libc', homebrew: 'brew tap osx-cross/avr && brew install avr-gcc', windows: 'MSYS2: pacman -S mingw-w64-ucrt-x86_64-avr-toolchain' },
    present: versionOf('avr-gcc'),
  },
  {
    tool: 'avr-objcopy',
    what: 'binutils-avr turns the compiled firmware into a .hex file',
    install: { debian: 'sudo apt install binutils-avr', homebrew: 'brew tap osx-cross/avr && brew install avr-gcc', windows: 'MSYS2: pacman -S mingw-w64-ucrt-x86_64-avr-binutils' },
    present: versionOf('avr-objcopy'),
  },
  {
    tool: 'avr-libc',
    what: "avr-libc provides the chips' register headers (avr/io.h)",
    install: { debian: 'sudo apt install avr-libc', homebrew: 'brew tap osx-cross/avr && brew install avr-gcc', windows: 'MSYS2: pacman -S mingw-w64-ucrt-x86_64-avr-libc' },
    present: (run) => {
      const r = run('avr-gcc', ['-mmcu=atmega328p', '-E', '-x', 'c', '-o', '-', '-'], '#include <avr/io.h>\n');
      return { ok: !!r && r.status === 0 };
    },
  },
];

const ARM_TOOLS: ToolSpec[] = [
  {
    tool: 'arm-none-eabi-gcc',
    what: 'the Arm C compiler builds firmware for STM32 boards',
    install: {
      debian: 'sudo apt install gcc-arm-none-eabi libnewlib-arm-none-eabi',
      homebrew: 'brew install --cask gcc-arm-embedded',
      windows: 'MSYS2: pacman -S mingw-w64-ucrt-x86_64-arm-none-eabi-toolchain (or the Arm GNU Toolchain installer from developer.arm.com)',
    },
    present: versionOf('arm-none-eabi-gcc'),
  },
  {
    tool: 'arm-none-eabi-objcopy',
    what: 'Arm binutils turn the compiled firmware into a .bin file',
    install: {
      debian: 'sudo apt install binutils-arm-none-eabi',
      homebrew: 'brew install --cask gcc-arm-embedded',
      windows: 'MSYS2: pacman -S mingw-w64-ucrt-x86_64-arm-none-eabi-binutils',
    },
    present: versionOf('arm-none-eabi-objcopy'),
  },
  {
    tool: 'newlib-nano',
    what: 'newlib (nano.specs) is the small C library the STM32 firmware links with',
    install: {
      debian: 'sudo apt install libnewlib-arm-none-eabi',
      homebrew: "brew install --cask gcc-arm-embedded (Homebrew's arm-none-eabi-gcc formula has no newlib)",
      windows: 'MSYS2: pacman -S mingw-w64-ucrt-x86_64-arm-none-eabi-newlib',
    },
    present: (run) => {
      // gcc prints the bare name back when it cannot find the file.
      const r = run('arm-none-eabi-gcc', ['-print-file-name=nano.specs']);
      const out = r?.stdout.trim() ?? '';
      return { ok: !!r && r.status === 0 && out !== 'nano.specs' && out.length > 0 };
    },
  },
];

/** The tools one target needs, in the order a fix should install them. */
export function toolsFor(target: FirmwareTarget): string[] {
  return [MAKE, ...(target === 'avr' ? AVR_TOOLS : ARM_TOOLS)].map((t) => t.tool);
}

/** Checks every tool the target needs (a few short probes: call it when the user picks a board). */
export function checkToolchain(target: FirmwareTarget, platform: NodeJS.Platform = process.platform, run: RunProbe = realProbe): ToolchainStatus {
  const problems: ToolchainProblem[] = [];
  const found: Record<string, string> = {};
  for (const spec of [MAKE, ...(target === 'avr' ? AVR_TOOLS : ARM_TOOLS)]) {
    const r = spec.present(run);
    if (r.ok) {
      if (r.version) found[spec.tool] = r.version;
      continue;
    }
    problems.push(problemFor(spec, platform));
  }
  return { target, ok: problems.length === 0, problems, found };
}

function problemFor(spec: ToolSpec, platform: NodeJS.Platform): ToolchainProblem {
  const lines = [
    ['Debian/Ubuntu', spec.install.debian],
    ['macOS (Homebrew)', spec.install.homebrew],
    ['Windows', spec.install.windows],
  ];
  const mine = platform === 'darwin' ? 1 : platform === 'win32' ? 2 : 0;
  const ordered = [lines[mine], ...lines.filter((_, i) => i !== mine)];
  return {
    tool: spec.tool,
    install: spec.install,
    message: `${spec.tool} is not installed: ${spec.what}.`,
    fix: `Install it — ${ordered.map(([where, cmd]) => `${where}: ${cmd}`).join('; ')} — then check again.`,
  };
}
