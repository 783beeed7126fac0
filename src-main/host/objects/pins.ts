// Pin ownership: one pin may serve one purpose, so a copy-paste slip (two steppers on the same
// step pin) is caught at load time, naming both places. Enable pins may be shared by steppers.
import { ConfigError, formatPlace, type SourcePlace } from '../config/errors';
import type { PinDesc } from '../config/options';

interface Claim {
  owner: string;
  place: SourcePlace;
  shareType: string | null;
}

export class PinRegistry {
  private readonly claims = new Map<string, Claim>();

  /** Claims `pin` for `owner`; pins with the same non-null shareType may be shared. */
  claim(pin: PinDesc, owner: string, place: SourcePlace, shareType: string | null = null): void {
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
