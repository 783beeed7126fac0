// What the raw health samples mean: rates from two samples (host CPU %, each MCU's bytes/s and
// new retransmits) and findings, each a key the panel explains, that point at the usual causes of
// "Lost communication with MCU" (cable, USB hub, power, an overloaded host or MCU).
import type { HealthStats, McuHealth } from '../../../src-main/api/contract';

/** One MCU's rates and findings over the last interval (matched to the previous sample by name). */
export interface McuDerived {
  /** Its object name: 'mcu', 'mcu toolboard'. */
  name: string;
  bytesReadPerS: number | null;
  bytesWritePerS: number | null;
  /** Retransmits since the previous sample. */
  newRetransmits: number;
  newInvalidBytes: number;
  findings: Finding[];
}

export interface DerivedHealth {
  /** Host process CPU over the last interval, percent of one core (null until two samples). */
  hostCpuPercent: number | null;
  /** The main [mcu]'s rates (the same as its entry in `mcus`; null/0 without one). */
  bytesReadPerS: number | null;
  bytesWritePerS: number | null;
  newRetransmits: number;
  newInvalidBytes: number;
  /** The main [mcu]'s findings, then the host's. */
  findings: Finding[];
  /** Every MCU of the sample, main first, each with its own findings. */
  mcus: McuDerived[];
  /** Findings about the host process and the computer. */
  hostFindings: Finding[];
}

export type Finding = 'retransmitting' | 'invalidBytes' | 'mcuBusy' | 'clockDrift' | 'slowLink' | 'hostBusy' | 'lowMemory' | 'mcuShutdown';

/** Beyond these, a figure is worth a look (not an alarm: a busy moment can pass them). */
export const LIMITS = {
  mcuAwake: 0.8,
  clockDriftPpm: 200,
  srttS: 0.05,
  hostCpuPercent: 90,
  memAvailBytes: 200 * 1024 * 1024,
} as const;

/** A sample's MCUs: `mcus`, or only `mcu` from a host that predates `mcus`. */
const mcusOf = (h: HealthStats): McuHealth[] => (h.mcus?.length ? h.mcus : h.mcu ? [h.mcu] : []);

function deriveMcu(pm: McuHealth | undefined, m: McuHealth, dtS: number): McuDerived {
  const rate = (a: number | undefined, b: number) => (dtS > 0 && a !== undefined && b >= a ? (b - a) / dtS : null);
  const newRetransmits = pm && m.retransmits >= pm.retransmits ? m.retransmits - pm.retransmits : 0;
  const newInvalidBytes = pm && m.bytesInvalid >= pm.bytesInvalid ? m.bytesInvalid - pm.bytesInvalid : 0;
  const findings: Finding[] = [];
  if (m.state === 'shutdown') findings.push('mcuShutdown');
  if (newRetransmits > 0) findings.push('retransmitting');
  if (newInvalidBytes > 0) findings.push('invalidBytes');
  if (m.awake > LIMITS.mcuAwake) findings.push('mcuBusy');
  if (Math.abs(m.clockDriftPpm) > LIMITS.clockDriftPpm) findings.push('clockDrift');
  if (m.srttS > LIMITS.srttS) findings.push('slowLink');
  return { name: m.name, bytesReadPerS: rate(pm?.bytesRead, m.bytesRead), bytesWritePerS: rate(pm?.bytesWrite, m.bytesWrite), newRetransmits, newInvalidBytes, findings };
}

export function deriveHealth(prev: HealthStats | null, next: HealthStats): DerivedHealth {
  const dtS = prev ? (next.timeMs - prev.timeMs) / 1000 : 0;
  const same = prev !== null && dtS > 0;
  const hostCpuPercent =
    same && prev.host && next.host && prev.host.pid === next.host.pid
      ? (Math.max(0, next.host.cpuUserS + next.host.cpuSystemS - prev.host.cpuUserS - prev.host.cpuSystemS) / dtS) * 100
      : null;
  const prevMcus = prev ? mcusOf(prev) : [];
  const mcus = mcusOf(next).map((m) => deriveMcu(prevMcus.find((p) => p.name === m.name), m, same ? dtS : 0));
  const hostFindings: Finding[] = [];
  if (hostCpuPercent !== null && hostCpuPercent > LIMITS.hostCpuPercent) hostFindings.push('hostBusy');
  if (next.host && next.host.memAvailBytes < LIMITS.memAvailBytes) hostFindings.push('lowMemory');
  const main = mcus.find((m) => m.name === 'mcu');
  return {
    hostCpuPercent,
    bytesReadPerS: main?.bytesReadPerS ?? null,
    bytesWritePerS: main?.bytesWritePerS ?? null,
    newRetransmits: main?.newRetransmits ?? 0,
    newInvalidBytes: main?.newInvalidBytes ?? 0,
    findings: [...(main?.findings ?? []), ...hostFindings],
    mcus,
    hostFindings,
  };
}

/** 1536 -> '1.5 KiB'. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
