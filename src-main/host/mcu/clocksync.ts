// Estimates the MCU clock from host time (PROTOCOL.md 1.6). Each `clock` reply is paired with
// the host time its request was sent; a linear regression that forgets old samples with decay
// 1/30 gives frequency and offset. Implausible samples (> 5 sigma and > 0.5 ms off) are dropped
// when they look late and recent predictions were good; otherwise the variance is reset.

const DECAY = 1 / 30;
/** Host-side latency added to the serial queue's conversion time. */
const TRANSMIT_EXTRA_S = 0.001;
/** Slowly forgive an old best round trip so a new route can take over. */
const RTT_AGE = 0.00001 / 3600;
/**
 * Weight (in s^2 of send-time variance) of the nominal CLOCK_FREQ as a prior on the slope. The 8
 * seeding samples span only 0.4 s, so a few ms of scheduling jitter on a busy host would skew a
 * pure regression by percent; the prior holds the slope near nominal until samples spread over
 * tens of seconds outweigh it (crystals are within ~100 ppm of nominal anyway). Not stronger:
 * a simulated AVR paced slower than nominal needs the estimate to leave nominal within seconds.
 */
const FREQ_PRIOR_S2 = 0.05;
/** Replies kept for bestEstimate() (~8 s of get_clock). */
const RECENT_SAMPLES = 8;
/** bestEstimate() measures the frequency once its two replies are this far apart (before: nominal). */
const MIN_BASELINE_S = 5;

interface ClockSample {
  /** Host time half way through the round trip. */
  timeS: number;
  clock: number;
  rttS: number;
}
/** get_clock period: odd on purpose so it never beats with other periodic work. */
export const CLOCK_QUERY_PERIOD_S = 0.9839;
/** Outstanding get_clock queries tolerated before the MCU counts as lost. */
export const MAX_PENDING_CLOCK_QUERIES = 4;

export interface ClockEstimate {
  /** Host time of the regression's centre. */
  timeS: number;
  /** MCU clock at that time. */
  clock: number;
  /** Measured ticks per host second. */
  freq: number;
}

export class ClockSync {
  /** Nominal CLOCK_FREQ from the dictionary. */
  readonly mcuFreq: number;
  /** Last MCU clock seen, extended to 64 bits. */
  lastClock = 0;
  /** get_clock queries sent since the last reply. */
  queriesPending = 0;
  private timeAvg = 0;
  private timeVariance = 0;
  private clockAvg = 0;
  private clockCovariance = 0;
  private predictionVariance = 0;
  private lastPredictionTime = -Infinity;
  private minHalfRtt = Infinity;
  private minRttTime = 0;
  private est: ClockEstimate;
  samples = 0;
  ignoredSamples = 0;
  /** The last few replies with their round trips, for bestEstimate(). */
  private readonly recent: ClockSample[] = [];
  /** The fastest of the first replies: the far end of bestEstimate()'s frequency baseline. */
  private baseline: ClockSample | null = null;
  private baselineCandidates = 0;

  /**
   * @param onEstimate receives (freq, timeS, clock) for the serial queue's scheduling; the clock
   * is pessimistic by 3 sigma so commands are not sent before the MCU can take them.
   */
  constructor(
    mcuFreq: number,
    private readonly onEstimate: (freq: number, timeS: number, clock: number) => void,
  ) {
    this.mcuFreq = mcuFreq;
    this.est = { timeS: 0, clock: 0, freq: mcuFreq };
  }

  /** Starts from the `uptime` reply: the full 64-bit clock at host time sentTimeS. */
  start(uptimeClock64: number, sentTimeS: number): void {
    this.lastClock = uptimeClock64;
    this.timeAvg = sentTimeS;
    this.clockAvg = uptimeClock64;
    this.timeVariance = 0;
    this.clockCovariance = 0;
    this.predictionVariance = (0.001 * this.mcuFreq) ** 2;
    this.est = { timeS: sentTimeS, clock: uptimeClock64, freq: this.mcuFreq };
    this.onEstimate(this.mcuFreq, sentTimeS, uptimeClock64);
  }

  /** Extends a 32-bit MCU clock to 64 bits near the last clock seen. */
  clock32ToClock64(clock32: number): number {
    const delta = (clock32 - this.lastClock) | 0;
    return this.lastClock + delta;
  }

  /** A `clock` reply. sentTimeS = host time the request left (0 if unknown). */
  handleClock(clock32: number, sentTimeS: number, receiveTimeS: number): void {
    this.queriesPending = 0;
    const clock = this.clock32ToClock64(clock32 >>> 0);
    this.lastClock = clock;
    if (!(sentTimeS > 0)) return;
    const halfRtt = 0.5 * (receiveTimeS - sentTimeS);
    const sample = { timeS: sentTimeS + halfRtt, clock, rttS: 2 * halfRtt };
    this.recent.push(sample);
    if (this.recent.length > RECENT_SAMPLES) this.recent.shift();
    if (this.baselineCandidates++ < RECENT_SAMPLES && (!this.baseline || sample.rttS < this.baseline.rttS)) this.baseline = sample;
    const agedRtt = (sentTimeS - this.minRttTime) * RTT_AGE;
    if (halfRtt < this.minHalfRtt + agedRtt) {
      this.minHalfRtt = halfRtt;
      this.minRttTime = sentTimeS;
    }
    // Reject outliers: a reply delayed in transit looks like a clock ahead of prediction.
    const expected = (sentTimeS - this.timeAvg) * this.est.freq + this.clockAvg;
    const diff2 = (clock - expected) ** 2;
    if (diff2 > 25 * this.predictionVariance && diff2 > (0.0005 * this.mcuFreq) ** 2) {
      // A reply can only look late if its request was delayed, and that shows in its round
      // trip. A fast round trip that disagrees means the estimate is wrong (a seed sample
      // skewed by a stalled host): take it, or every corrective sample would be thrown away.
      const fastRoundTrip = halfRtt <= 2 * this.minHalfRtt + 0.0005;
      if (clock > expected && !fastRoundTrip && sentTimeS < this.lastPredictionTime + 10) {
        this.ignoredSamples++;
        return;
      }
      this.predictionVariance = (0.001 * this.mcuFreq) ** 2;
    } else {
      this.lastPredictionTime = sentTimeS;
      this.predictionVariance = (1 - DECAY) * (this.predictionVariance + diff2 * DECAY);
    }
    this.samples++;
    // Decaying linear regression of clock against send time.
    const dt = sentTimeS - this.timeAvg;
    this.timeAvg += DECAY * dt;
    this.timeVariance = (1 - DECAY) * (this.timeVariance + dt * dt * DECAY);
    const dc = clock - this.clockAvg;
    this.clockAvg += DECAY * dc;
    this.clockCovariance = (1 - DECAY) * (this.clockCovariance + dt * dc * DECAY);
    const freq = (this.clockCovariance + FREQ_PRIOR_S2 * this.mcuFreq) / (this.timeVariance + FREQ_PRIOR_S2);
    const sigma = Math.sqrt(this.predictionVariance);
    this.onEstimate(freq, this.timeAvg + TRANSMIT_EXTRA_S, Math.floor(this.clockAvg - 3 * sigma));
    this.est = { timeS: this.timeAvg + this.minHalfRtt, clock: this.clockAvg, freq };
  }

  /** Estimated MCU clock (64-bit) at host time t. */
  getClock(hostTimeS: number): number {
    return Math.floor(this.est.clock + (hostTimeS - this.est.timeS) * this.est.freq);
  }

  get estimate(): Readonly<ClockEstimate> {
    return this.est;
  }

  /**
   * The estimate anchored at the recent reply with the fastest round trip (its clock was read
   * within half that round trip of the midpoint), with the regression's frequency. The
   * regression's own centre averages every reply's transit delay, which on a loaded host is
   * milliseconds; tying two MCUs' clocks together (print time on a secondary MCU) needs better.
   */
  bestEstimate(): ClockEstimate {
    // Fast round trip first, but not an old one: each second of age costs what ~200 ppm of
    // frequency error would.
    let best: ClockSample | null = null;
    const lastS = this.recent.at(-1)?.timeS ?? 0;
    const cost = (r: ClockSample) => r.rttS + (lastS - r.timeS) * 0.0002;
    for (const r of this.recent) if (!best || cost(r) < cost(best)) best = r;
    if (!best) return { ...this.est };
    // Frequency over the whole connection (two fast replies far apart): the regression's
    // slope reads hundreds of ppm off for its first tens of seconds on a busy host.
    const base = this.baseline;
    const spanS = base ? best.timeS - base.timeS : 0;
    const freq = base && spanS >= MIN_BASELINE_S ? (best.clock - base.clock) / spanS : this.mcuFreq;
    return { timeS: best.timeS, clock: best.clock, freq };
  }

  /** Best half round trip seen, seconds. */
  get minHalfRttS(): number {
    return this.minHalfRtt;
  }

  /** Counts a new get_clock; false once more than MAX_PENDING_CLOCK_QUERIES are unanswered. */
  noteQuerySent(): boolean {
    this.queriesPending++;
    return this.queriesPending <= MAX_PENDING_CLOCK_QUERIES;
  }

  isActive(): boolean {
    return this.queriesPending <= MAX_PENDING_CLOCK_QUERIES;
  }
}

/** Print time -> MCU clock for a secondary MCU: clock = printTimeS * freq + offset. */
export interface ClockMapping {
  freq: number;
  offset: number;
}

/**
 * How long a secondary MCU's mapping takes to converge on a new estimate. Steps already sent
 * used the old mapping; bending towards the new one over a few seconds (instead of jumping)
 * keeps every MCU's step times continuous and in order.
 */
export const SECONDARY_CONVERGE_S = 2 * CLOCK_QUERY_PERIOD_S;

/**
 * Print time is the main MCU's clock / its CLOCK_FREQ. A secondary MCU maps print time to its
 * own clock through host time: print time -> main clock -> host time (main's estimate) -> its
 * clock (its own estimate). That is linear in print time; the result is the target mapping.
 */
export function targetSecondaryMapping(mainFreqNominal: number, main: ClockEstimate, secondary: ClockEstimate): ClockMapping {
  const freq = (mainFreqNominal * secondary.freq) / main.freq;
  const offset = secondary.clock + (main.timeS - main.clock / main.freq - secondary.timeS) * secondary.freq;
  return { freq, offset };
}

/**
 * The next mapping: continuous with `prev` at print time `anchorS` (now), reaching `target` at
 * anchorS + convergeS. Without a previous mapping the target is taken as is.
 */
export function nextSecondaryMapping(
  prev: ClockMapping | null,
  target: ClockMapping,
  anchorS: number,
  convergeS = SECONDARY_CONVERGE_S,
): ClockMapping {
  if (!prev) return target;
  const fromClock = anchorS * prev.freq + prev.offset;
  const toS = anchorS + convergeS;
  const toClock = toS * target.freq + target.offset;
  let freq = (toClock - fromClock) / convergeS;
  // A wild estimate (link hiccup) must not make time run backwards or race: stay near the target.
  const maxDev = target.freq * 0.001;
  freq = Math.min(target.freq + maxDev, Math.max(target.freq - maxDev, freq));
  return { freq, offset: fromClock - freq * anchorS };
}
