// Pin ownership: one pin may serve one purpose, so a copy-paste slip (two steppers on the same
// step pin) is caught at load time, naming both places. Enable pins may be shared by steppers.
// Pin names are resolved here too: [board_pins] aliases (EXP1_1 -> PE6) become MCU pin names
// before the pin is claimed, so an alias and its pin count as the same pin.
import { ConfigError, formatPlace, type SourcePlace } from '../config/errors';
import type { PinDesc } from '../config/options';

interface Claim {
  owner: string;
  place: SourcePlace;
  shareType: string | null;
}

export class PinRegistry {
  private readonly claims = new Map<string, Claim>();
  /** `chip:alias` -> MCU pin name, or '<GND>'-style reserved marker. */
  private readonly aliases = new Map<string, string>();

  /** [board_pins]: `name` on `chip` means `value` (a pin, or a reserved '<...>' marker). */
  addAlias(chip: string, name: string, value: string): void {
    const key = `${chip}:${name}`;
    const prev = this.aliases.get(key);
    if (prev !== undefined && prev !== value) throw new Error(`Alias ${name} mapped to two different pins: ${prev} and ${value}`);
    this.aliases.set(key, value);
  }

  /**
   * Rewrites `pin` (in place, so every holder of this PinDesc sees the MCU's own name) through
   * the aliases; a reserved name is an error. Returns the same object.
   */
  resolve<P extends { chip: string; pin: string }>(pin: P, place?: SourcePlace): P {
    const value = this.aliases.get(`${pin.chip}:${pin.pin}`);
    if (value === undefined) return pin;
    if (value.startsWith('<')) throw new ConfigError(`pin ${pin.pin} is reserved for ${value} (see [board_pins]); use another pin`, place);
    pin.pin = value;
    return pin;
  }

  /** Claims `pin` for `owner`; pins with the same non-null shareType may be shared. */
  claim(pin: PinDesc, owner: string, place: SourcePlace, shareType: string | null = null): void {
    this.resolve(pin, place);
    const key = `${pin.chip}:${pin.pin}`;
    const prev = this.claims.get(key);
    if (prev) {
      if (shareType !== null && prev.shareType === shareType) return;
      throw new ConfigError(
        `pin ${pin.pin} used multiple times in config: by ${prev.owner} (${formatPlace(prev.place)}) and by ${owner}`,
        place,
      );
    }
    this.claims.set(key, { owner, place, shareType });
  }
}
