// What the sensors computed on the host (not sampled by an MCU) share: a timer that reads them
// every reportTimeS once the printer is ready, stopped by a shutdown, a disconnect or the sensor's
// own fault, and the heater callback that gets each reading.
import type { Printer } from '../printer';
import type { TemperatureCallback } from './adc-temperature';
import type { TemperatureSensor } from './heater';

export abstract class HostSampledSensor implements TemperatureSensor {
  private callback: TemperatureCallback | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  lastTempC = 0;

  constructor(
    protected readonly printer: Printer,
    private readonly printTimeS: () => number,
  ) {
    printer.on('printer:shutdown', () => this.stop());
    printer.on('printer:disconnect', () => this.stop());
  }

  setCallback(cb: TemperatureCallback): void {
    this.callback = cb;
  }

  /** Reads every reportTimeS from now on (the timer does not keep the process alive). */
  protected sampleEvery(reportTimeS: number, read: () => void): void {
    this.timer = setInterval(read, reportTimeS * 1000);
    this.timer.unref?.();
  }

  /** A reading for the heater. */
  protected report(tempC: number): void {
    this.lastTempC = tempC;
    this.callback?.(this.printTimeS(), tempC);
  }

  /** The sensor failed: no more readings, and the printer shuts down with the reason. */
  protected fail(reason: string): void {
    this.stop();
    void this.printer.invokeShutdown(reason);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  abstract startSampling(): void;
}
