// Config errors carry the place (file:line) they are about, so the user can jump to it.
import path from 'node:path';

export interface SourcePlace {
  file: string;
  line: number;
}

export function formatPlace(place: SourcePlace): string {
  return `${path.basename(place.file)}:${place.line}`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The message without the place, for UIs that show the place separately. */
  readonly reason: string;
  constructor(
    reason: string,
    readonly place?: SourcePlace,
    /** Further places (e.g. every unsupported section) when one error is about several. */
    readonly places: SourcePlace[] = [],
  ) {
    super(place ? `${reason} (${formatPlace(place)})` : reason);
    this.reason = reason;
  }
}
