// Klipper's names for MCUs: section and printer object 'mcu' / 'mcu NAME'; pins say 'NAME:PIN'
// ('mcu' for the main one). No imports, so the API side and the sim launcher can use them too.

/** 'mcu' -> 'mcu', 'mcu toolboard' -> 'toolboard': the name pins use. */
export function chipNameOf(mcuSectionName: string): string {
  return mcuSectionName === 'mcu' ? 'mcu' : mcuSectionName.slice('mcu '.length).trim();
}

/** The printer object (and section) name of the MCU a pin's chip names. */
export function mcuObjectName(chip: string): string {
  return chip === 'mcu' ? 'mcu' : `mcu ${chip}`;
}

/** 'mcu' and every 'mcu NAME' (a section or printer object of an MCU). */
export function isMcuObjectName(name: string): boolean {
  return name === 'mcu' || name.startsWith('mcu ');
}
