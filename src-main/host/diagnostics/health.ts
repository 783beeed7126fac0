// Machine health: the MCU link's figures under the UI's names (from Mcu.getStatus(), Klipper's
// last_stats), the host process's CPU and memory, and the MCU's pin names from its dictionary.
// The host process answers the last two (src-main/host/worker/host-worker.ts ops 'host.process'
// and 'mcu.pins'); the API maps status 'mcu' with mcuHealthOf.
import os from 'node:os';
import type { HostProcessHealth, McuHealth } from '../../api/contract';
import type { Mcu, McuStatus } from '../mcu/mcu';
import type { Printer } from '../printer';

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The MCU's status (as status.query returns it for 'mcu') in the health panel's shape. */
export function mcuHealthOf(status: Partial<McuStatus> & Record<string, unknown>): McuHealth {
  const st = (status.lastStats ?? {}) as Partial<McuStatus['lastStats']>;
  const configuredFreqHz = num(Number(status.mcuConstants?.CLOCK_FREQ));
  return {
    name: String(status.name ?? 'mcu'),
    state: String(status.state ?? 'disconnected'),
    shutdownReason: typeof status.shutdownReason === 'string' ? status.shutdownReason : null,
    version: String(status.mcuVersion ?? ''),
    buildVersions: String(status.mcuBuildVersions ?? ''),
    awake: num(st.mcuAwake),
    taskAvgS: num(st.mcuTaskAvg),
    taskStddevS: num(st.mcuTaskStddev),
    bytesWrite: num(st.bytesWrite),
    bytesRead: num(st.bytesRead),
    bytesRetransmit: num(st.bytesRetransmit),
    bytesInvalid: num(st.bytesInvalid),
    retransmits: num(st.retransmits),
    sendSeq: num(st.sendSeq),
    receiveSeq: num(st.receiveSeq),
    srttS: num(st.srttS),
    rttvarS: num(st.rttvarS),
    rtoS: num(st.rtoS),
    readyBytes: num(st.readyBytes),
    upcomingBytes: num(st.upcomingBytes),
    freqHz: num(st.freq, configuredFreqHz),
    configuredFreqHz,
    clockDriftPpm: num(st.clockDriftPpm),
    invalidMessages: num(st.invalidMessages),
  };
}

/** This process's CPU and memory (run inside the host process) and the computer's load. */
export function hostProcessHealth(): HostProcessHealth {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    pid: process.pid,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    cpuUserS: cpu.user / 1e6,
    cpuSystemS: cpu.system / 1e6,
    uptimeS: process.uptime(),
    sysload: Math.round(os.loadavg()[0] * 100) / 100,
    memAvailBytes: os.freemem(),
  };
}

/** The connected MCU's pin names (its dictionary's 'pin' enumeration), or null before it has one. */
export function mcuPinNames(printer: Printer): { mcu: string; pins: string[] } | null {
  const mcu = printer.lookupObjectOrNull<Mcu>('mcu');
  if (!mcu) return null;
  try {
    const pins = mcu.dictionary.enumerations.get('pin');
    return pins ? { mcu: mcu.name, pins: [...pins.byName.keys()] } : null;
  } catch {
    return null; // not connected yet: no dictionary
  }
}
