// What to do about a host message: known Klipper messages (kept in English, as the host says
// them) mapped to a translated hint key under dashboard:hints.*. First match wins.
const HINTS: { pattern: RegExp; key: string }[] = [
  // Firmware and host speak different protocol versions: the fix is a re-flash (flash wizard).
  { pattern: /MCU Protocol error/i, key: 'reflash' },
  { pattern: /Lost communication with MCU/i, key: 'lostComm' },
  { pattern: /Timer too close/i, key: 'timerTooClose' },
  { pattern: /ADC out of range/i, key: 'adcRange' },
  { pattern: /not heating at expected rate/i, key: 'heating' },
  { pattern: /Shutdown due to M112/i, key: 'm112' },
  { pattern: /Connecting to MCU|Unable to (open|connect)|No such file or directory|ENOENT/i, key: 'connect' },
  { pattern: /Config error|is not a valid config section|is not valid in section|must be specified|Unable to parse/i, key: 'config' },
  { pattern: /Must home axis first/i, key: 'home' },
  { pattern: /Move out of range/i, key: 'range' },
  { pattern: /MCU .* shutdown/i, key: 'mcuShutdown' },
];

export function hintKeyFor(message: string): string | null {
  return HINTS.find((h) => h.pattern.test(message))?.key ?? null;
}
