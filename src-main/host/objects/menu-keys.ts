// The display's input keys: a rotary encoder (two pins in quadrature) and click / back / up /
// down / kill buttons, all watched by the MCU through the 'buttons' object. The encoder is
// decoded from the sequence of its two pins' states: each valid step between neighbouring
// Gray-code states counts +1 or -1, and when the encoder rests in a detent position (both pins
// open; with 2 steps per detent also both closed) a count of a whole detent's steps in one
// direction is one turn. Bounces (a step and its reverse) cancel out.

export type MenuKey = 'up' | 'down' | 'fast_up' | 'fast_down' | 'click' | 'back' | 'kill';

/** Gray-code order of the (A, B) states when A leads (counted +1): 00 -> 10 -> 11 -> 01 -> 00. */
const ORDER = [0b00, 0b10, 0b11, 0b01];

export class EncoderDecoder {
  private state = 0b00;
  private steps = 0;
  private lastTurnS = -Infinity;

  /**
   * `onTurn(+1)` is one detent one way ('down' in lists, 'up' with reverse), -1 the other;
   * `fast` says this detent came within fastRateS of the last one.
   */
  constructor(
    private readonly stepsPerDetent: 2 | 4,
    private readonly onTurn: (direction: 1 | -1, fast: boolean) => void,
    private readonly fastRateS = 0.03,
  ) {}

  /** A pin changed: `pin` 0 = A, 1 = B; `closed` its new state. */
  pinChanged(pin: 0 | 1, closed: boolean, eventTimeS = 0): void {
    const bit = pin === 0 ? 0b10 : 0b01;
    const next = closed ? this.state | bit : this.state & ~bit;
    if (next === this.state) return;
    const from = ORDER.indexOf(this.state);
    const to = ORDER.indexOf(next);
    const delta = (to - from + 4) % 4;
    if (delta === 1) this.steps++;
    else if (delta === 3) this.steps--;
    // delta 2: both pins changed at once (a missed state); direction unknown, counts nothing.
    this.state = next;
    const detent = next === 0b00 || (this.stepsPerDetent === 2 && next === 0b11);
    if (!detent) return;
    const needed = this.stepsPerDetent === 4 ? 3 : 2; // one missed step of four is tolerated
    if (Math.abs(this.steps) >= needed) {
      const fast = eventTimeS - this.lastTurnS < this.fastRateS;
      this.lastTurnS = eventTimeS;
      this.onTurn(this.steps > 0 ? 1 : -1, fast);
    }
    this.steps = 0;
  }
}
