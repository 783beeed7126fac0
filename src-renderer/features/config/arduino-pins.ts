// Marlin/Arduino pin numbers -> MCU pin names, as Klipper's [board_pins] aliases use them
// ("ar54" on a Mega is PF0), with what each pin can do. Facts from the boards' published pin-outs.

export interface BoardPin {
  /** Arduino/Marlin number (D54 = A0 on a Mega). */
  arduino: number;
  /** Analog alias when the pin has one (A0..A15). */
  analog?: number;
  mcuPin: string;
  caps: ('ADC' | 'PWM' | 'SPI' | 'I2C' | 'UART')[];
}

export interface ArduinoBoard {
  id: 'mega2560' | 'uno';
  mcu: string;
  pins: BoardPin[];
}

const MEGA_DIGITAL = [
  'PE0', 'PE1', 'PE4', 'PE5', 'PG5', 'PE3', 'PH3', 'PH4', 'PH5', 'PH6', 'PB4', 'PB5', 'PB6', 'PB7', 'PJ1', 'PJ0', 'PH1', 'PH0',
  'PD3', 'PD2', 'PD1', 'PD0', 'PA0', 'PA1', 'PA2', 'PA3', 'PA4', 'PA5', 'PA6', 'PA7', 'PC7', 'PC6', 'PC5', 'PC4', 'PC3', 'PC2',
  'PC1', 'PC0', 'PD7', 'PG2', 'PG1', 'PG0', 'PL7', 'PL6', 'PL5', 'PL4', 'PL3', 'PL2', 'PL1', 'PL0', 'PB3', 'PB2', 'PB1', 'PB0',
  'PF0', 'PF1', 'PF2', 'PF3', 'PF4', 'PF5', 'PF6', 'PF7', 'PK0', 'PK1', 'PK2', 'PK3', 'PK4', 'PK5', 'PK6', 'PK7',
];
const MEGA_PWM = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 44, 45, 46]);
const MEGA_SPI = new Set([50, 51, 52, 53]);
const MEGA_I2C = new Set([20, 21]);
const MEGA_UART = new Set([0, 1, 14, 15, 16, 17, 18, 19]);

const UNO_DIGITAL = ['PD0', 'PD1', 'PD2', 'PD3', 'PD4', 'PD5', 'PD6', 'PD7', 'PB0', 'PB1', 'PB2', 'PB3', 'PB4', 'PB5', 'PC0', 'PC1', 'PC2', 'PC3', 'PC4', 'PC5'];
const UNO_PWM = new Set([3, 5, 6, 9, 10, 11]);
const UNO_SPI = new Set([10, 11, 12, 13]);
const UNO_I2C = new Set([18, 19]);
const UNO_UART = new Set([0, 1]);

function build(digital: string[], firstAnalog: number, sets: { pwm: Set<number>; spi: Set<number>; i2c: Set<number>; uart: Set<number> }): BoardPin[] {
  return digital.map((mcuPin, arduino) => {
    const caps: BoardPin['caps'] = [];
    if (arduino >= firstAnalog) caps.push('ADC');
    if (sets.pwm.has(arduino)) caps.push('PWM');
    if (sets.spi.has(arduino)) caps.push('SPI');
    if (sets.i2c.has(arduino)) caps.push('I2C');
    if (sets.uart.has(arduino)) caps.push('UART');
    return { arduino, ...(arduino >= firstAnalog ? { analog: arduino - firstAnalog } : {}), mcuPin, caps };
  });
}

export const ARDUINO_BOARDS: ArduinoBoard[] = [
  { id: 'mega2560', mcu: 'atmega2560', pins: build(MEGA_DIGITAL, 54, { pwm: MEGA_PWM, spi: MEGA_SPI, i2c: MEGA_I2C, uart: MEGA_UART }) },
  { id: 'uno', mcu: 'atmega328p', pins: build(UNO_DIGITAL, 14, { pwm: UNO_PWM, spi: UNO_SPI, i2c: UNO_I2C, uart: UNO_UART }) },
];

/** Looks up "54", "D54", "ar54" or "A0" on a board. */
export function lookupArduinoPin(board: ArduinoBoard, query: string): BoardPin | null {
  const q = query.trim().toUpperCase();
  const analog = /^A(\d{1,2})$/.exec(q);
  if (analog) return board.pins.find((p) => p.analog === Number(analog[1])) ?? null;
  const digital = /^(?:D|AR)?(\d{1,2})$/.exec(q);
  if (digital) return board.pins[Number(digital[1])] ?? null;
  return board.pins.find((p) => p.mcuPin === q) ?? null;
}

/** rotation_distance (mm per full motor turn) three ways, as Klipper's docs define it. */
export const rotationDistance = {
  /** From a Marlin steps/mm: full steps per turn x microsteps / steps per mm. */
  fromStepsPerMm: (stepsPerMm: number, fullStepsPerRotation: number, microsteps: number): number =>
    (fullStepsPerRotation * microsteps) / stepsPerMm,
  /** Belt drive: belt pitch x pulley teeth. */
  fromBelt: (beltPitchMm: number, pulleyTeeth: number): number => beltPitchMm * pulleyTeeth,
  /** Lead screw: thread pitch x number of starts (the lead). */
  fromLeadScrew: (pitchMm: number, starts: number): number => pitchMm * starts,
};
