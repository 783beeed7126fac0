// What the raw health samples mean: rates from two samples (host CPU %, bytes/s, new
// retransmits) and findings, each a key the panel explains, that point at the usual causes of
// "Lost communication with MCU" (cable, USB hub, power, an overloaded host or MCU).
import type { HealthStats } from '../../../src-main/api/contract';

export interface DerivedHealth {
  /** Host process CPU over the last interval, percent of one core (null until two samples). */
  hostCpuPercent: number | null;
  bytesReadPerS: number | null;
  bytesWritePerS: number | null;
  /** Retransmits since the previous sample. */
  newRetransmits: number;
  newInvalidBytes: number;
  findings: Finding[];
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

export function deriveHealth(prev: HealthStats | null, next: HealthStats): DerivedHealth {
  const dtS = prev ? (next.timeMs - prev.timeMs) / 1000 : 0;
  const same = prev !== null && dtS > 0;
  const rate = (a: number | undefined, b: number | undefined) => (same && a !== undefined && b !== undefined && b >= a ? (b - a) / dtS : null);
  const hostCpuPercent =
    same && prev.host && next.host && prev.host.pid === next.host.pid
      ? (Math.max(0, next.host.cpuUserS + next.host.cpuSystemS - prev.host.cpuUserS - prev.host.cpuSystemS) / dtS) * 100
      : null;
  const m = next.mcu;
  const pm = prev?.mcu;
  const newRetransmits = m && pm && m.retransmits >= pm.retransmits ? m.retransmits - pm.retransmits : 0;
  const newInvalidBytes = m && pm && m.bytesInvalid >= pm.bytesInvalid ? m.bytesInvalid - pm.bytesInvalid : 0;
  const findings: Finding[] = [];
  if (m) {
    if (m.state === 'shutdown') findings.push('mcuShutdown');
    if (newRetransmits > 0) findings.push('retransmitting');
    if (newInvalidBytes > 0) findings.push('invalidBytes');
    if (m.awake > LIMITS.mcuAwake) findings.push('mcuBusy');
    if (Math.abs(m.clockDriftPpm) > LIMITS.clockDriftPpm) findings.push('clockDrift');
    if (m.srttS > LIMITS.srttS) findings.push('slowLink');
  }
  if (hostCpuPercent !== null && hostCpuPercent > LIMITS.hostCpuPercent) findings.push('hostBusy');
  if (next.host && next.host.memAvailBytes < LIMITS.memAvailBytes) findings.push('lowMemory');
  return {
    hostCpuPercent,
    bytesReadPerS: rate(pm?.bytesRead, m?.bytesRead),
    bytesWritePerS: rate(pm?.bytesWrite, m?.bytesWrite),
    newRetransmits,
    newInvalidBytes,
    findings,
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
