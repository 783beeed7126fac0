// [exclude_object]: objects labelled in the file (EXCLUDE_OBJECT_DEFINE/START/END or M486) can
// be cancelled mid-print; their moves are then skipped by the file reader.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { PrinterObject } from '../printer';

export class ExcludeObject implements PrinterObject {
  objects: { name: string; center?: number[]; polygon?: number[][] }[] = [];
  excluded: string[] = [];
  current: string | null = null;
  /** Absolute E of the last skipped extrusion: restored with G92 when the object ends. */
  private skippedE: number | null = null;

  constructor(private readonly gcode: GCodeDispatcher) {
    gcode.register('EXCLUDE_OBJECT_DEFINE', (c) => this.cmdDefine(c), { help: 'Define an object (NAME, CENTER, POLYGON)' });
    gcode.register('EXCLUDE_OBJECT_START', (c) => void (this.current = c.get('NAME').toUpperCase()), { help: 'Marks the start of an object' });
    gcode.register('EXCLUDE_OBJECT_END', () => this.endObject(), { help: 'Marks the end of an object' });
    gcode.register('EXCLUDE_OBJECT', (c) => this.cmdExclude(c), { help: 'Cancel moves of an object (NAME, RESET=1, CURRENT=1)' });
    gcode.register('M486', (c) => this.cmdM486(c), { help: 'Marlin object labels: T count, S id, P cancel id, U un-cancel id' });
  }

  reset(): void {
    this.objects = [];
    this.excluded = [];
    this.current = null;
    this.skippedE = null;
  }

  /** True when the file reader must skip this line (a move inside an excluded object). */
  skipLine(line: string): boolean {
    if (this.current === null || !this.excluded.includes(this.current)) return false;
    const m = /^\s*G[0-3]\b(.*)$/i.exec(line);
    if (!m) return false;
    const e = /\bE(-?[\d.]+)/i.exec(m[1].split(';')[0]);
    if (e) this.skippedE = Number(e[1]);
    return true;
  }

  private async endObject(): Promise<void> {
    const wasExcluded = this.current !== null && this.excluded.includes(this.current);
    this.current = null;
    if (wasExcluded && this.skippedE !== null) {
      const e = this.skippedE;
      this.skippedE = null;
      await this.gcode.runLines([`G92 E${e}`]);
    }
  }

  private cmdDefine(c: GCodeCommand): void {
    if (!c.has('NAME')) {
      this.gcode.respondInfo(this.objects.map((o) => o.name).join('\n') || 'No objects defined');
      return;
    }
    const name = c.get('NAME').toUpperCase();
    const parse = (k: string) => (c.has(k) ? (JSON.parse(c.get(k)) as unknown) : undefined);
    let center, polygon;
    try {
      center = parse('CENTER') as number[] | undefined;
      polygon = parse('POLYGON') as number[][] | undefined;
    } catch {
      // CENTER=x,y without brackets is also common
      center = c.has('CENTER') ? c.get('CENTER').split(',').map(Number) : undefined;
    }
    this.objects = this.objects.filter((o) => o.name !== name);
    this.objects.push({ name, ...(center ? { center } : {}), ...(polygon ? { polygon } : {}) });
  }

  private cmdExclude(c: GCodeCommand): void {
    if (c.has('RESET')) {
      if (c.has('NAME')) this.excluded = this.excluded.filter((n) => n !== c.get('NAME').toUpperCase());
      else this.excluded = [];
      return;
    }
    const name = c.has('CURRENT') ? this.current : c.has('NAME') ? c.get('NAME').toUpperCase() : null;
    if (name === null) {
      this.gcode.respondInfo(`Excluded objects: ${this.excluded.join(' ') || 'none'}`);
      return;
    }
    if (!this.excluded.includes(name)) this.excluded.push(name);
    this.gcode.respondInfo(`Excluding object ${name}`);
  }

  private async cmdM486(c: GCodeCommand): Promise<void> {
    if (c.has('T')) {
      this.reset();
      for (let i = 0; i < c.getInt('T', 0, { minval: 0 }); i++) this.objects.push({ name: String(i) });
    } else if (c.has('S')) {
      const id = c.getInt('S');
      if (id < 0) await this.endObject();
      else {
        if (!this.objects.some((o) => o.name === String(id))) this.objects.push({ name: String(id) });
        this.current = String(id);
      }
    } else if (c.has('P')) {
      const id = String(c.getInt('P'));
      if (!this.excluded.includes(id)) this.excluded.push(id);
    } else if (c.has('U')) {
      this.excluded = this.excluded.filter((n) => n !== String(c.getInt('U')));
    }
  }

  getStatus(): Record<string, unknown> {
    return { objects: this.objects, excluded_objects: [...this.excluded], current_object: this.current };
  }
}
