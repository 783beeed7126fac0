// The menu tree and session without a printer: [menu] specs merged over our default menu
// (replace by id, add with index, parents must be lists), enable templates, SD card file lists,
// input limits and steps, realtime inputs.
import { describe, expect, it } from 'vitest';
import { buildMenuTree, MenuSession, renderedTrue, type MenuEnvironment, type MenuItemSpec } from '../../../src-main/host/objects/menu';
import { DEFAULT_MENU } from '../../../src-main/host/objects/menu-default';
import type { LcdDriver } from '../../../src-main/host/objects/lcd-driver';
import { Hd44780Driver } from '../../../src-main/host/objects/lcd-hd44780';

const fail = (id: string, msg: string) => new Error(`${id}: ${msg}`);
const screen = (): LcdDriver =>
  new Hd44780Driver(
    { sendCommands: () => undefined, sendData: () => undefined },
    { columns: 20, protocolInit: false, fourBit: true, glyphs: [] },
  );

function session(specs: MenuItemSpec[], root = '__main', files: string[] = []) {
  const ran: string[] = [];
  const errors: string[] = [];
  const env: MenuEnvironment = {
    context: () => ({ printer: { extruder: { target: 0 }, fan: { speed: 0.5 } } }),
    runGcode: (s) => void ran.push(s),
    listFiles: () => files,
    reportError: (m) => void errors.push(m),
  };
  const tree = buildMenuTree(specs, fail);
  const s = new MenuSession(tree.get(root)!, env);
  const draw = () => {
    const d = screen();
    s.draw(d);
    return d.textRows().map((r) => r.trimEnd());
  };
  return { s, ran, errors, draw, tree };
}

describe('menu tree', () => {
  it('replaces items by id, places indexed ones, rejects orphans and non-list parents', () => {
    const { tree } = session([
      ...DEFAULT_MENU,
      { id: '__main __control __home', type: 'command', name: 'Home!', gcode: 'G28 X' },
      { id: '__main __first', type: 'command', name: 'First', index: 0 },
    ]);
    expect(tree.get('__main __control __home')!.spec.name).toBe('Home!');
    expect(tree.get('__main')!.children[0].id).toBe('__main __first');
    expect(() => buildMenuTree([{ id: '__main __x', type: 'command', name: 'x' }], fail)).toThrow(/no parent menu '__main'/);
    expect(() =>
      buildMenuTree(
        [
          { id: '__main', type: 'command', name: 'm' },
          { id: '__main __x', type: 'command', name: 'x' },
        ],
        fail,
      ),
    ).toThrow(/is not a list/);
    expect(() => buildMenuTree([{ id: '__main', type: 'list', name: '{% if %}' }], fail)).toThrow(/__main/);
  });

  it('enable is read as Klipper reads the rendered literal', () => {
    for (const t of ['True', ' 1', 'yes']) expect(renderedTrue(t), t).toBe(true);
    for (const t of ['False', '', ' 0 ', 'None']) expect(renderedTrue(t), t).toBe(false);
  });
});

describe('menu session', () => {
  const LIST: MenuItemSpec[] = [
    { id: '__main', type: 'list', name: 'Main' },
    { id: '__main __hidden', type: 'command', name: 'Hidden', enable: "{'nothing' in printer}" },
    {
      id: '__main __fan',
      type: 'input',
      name: "Fan {'%3d' % menu.input}",
      input: '{printer.fan.speed * 100}',
      inputMin: '0',
      inputMax: '100',
      inputStep: 10,
      realtime: true,
      gcode: "M106 S{'%d' % (menu.input * 2.55)}",
    },
    {
      id: '__main __z',
      type: 'input',
      name: "Z {'%.1f' % menu.input}",
      input: '0',
      inputMin: '-0.2',
      inputMax: '1',
      inputStep: 0.1,
      gcode: "Z{'%.1f' % menu.input}",
    },
    { id: '__main __files', type: 'vsdlist', name: 'Files' },
  ];

  it('hides disabled items, runs realtime inputs at every change, clamps to limits', () => {
    const { s, ran, draw } = session(LIST);
    expect(draw()).toEqual(['Main', '>..', ' Fan  50', ' Z 0.0']);
    s.key('down');
    s.key('click');
    expect(s.editingItem).toBe('__main __fan');
    for (let i = 0; i < 7; i++) s.key('up'); // 50 + 7*10, clamped at 100
    // Once clamped nothing changes, so nothing more is sent. 100 * 2.55 is 254.99999999999997 in
    // floating point, which '%d' truncates to 254, as Python does (our default menu rounds first).
    expect(ran).toEqual(['M106 S153', 'M106 S178', 'M106 S204', 'M106 S229', 'M106 S254']);
    expect(draw()[2]).toBe('*Fan 100');
    s.key('back'); // cancels editing, stays in the list
    expect(s.editingItem).toBeNull();
    expect(s.open).toBe(true);
  });

  it('steps of 0.1 do not drift (0.30000000000000004) and stop at input_min', () => {
    const { s, ran } = session(LIST);
    s.key('down');
    s.key('down');
    s.key('click');
    for (let i = 0; i < 3; i++) s.key('down');
    s.key('click');
    expect(ran).toEqual(['Z-0.2']);
    // Editing again starts from the input template (0 here), as Klipper re-reads it.
    s.key('click');
    for (let i = 0; i < 3; i++) s.key('up');
    s.key('click');
    expect(ran.at(-1)).toBe('Z0.3');
  });

  it('vsdlist lists the SD card; a click prints the file and closes the menu', () => {
    const { s, ran, draw } = session(LIST, '__main', ['benchy.gcode', 'cube.gcode']);
    s.key('fast_down');
    s.key('down');
    s.key('down');
    s.key('click');
    expect(draw()).toEqual(['Files', '>..', ' benchy.gcode', ' cube.gcode']);
    s.key('down');
    s.key('down');
    s.key('click');
    expect(ran).toEqual(['SDCARD_PRINT_FILE FILENAME="cube.gcode"']);
    expect(s.open).toBe(false);
  });

  it('a template error shows ? and is reported', () => {
    const { draw, errors } = session([{ id: '__main', type: 'list', name: '{printer.nothing.deeper}' }]);
    expect(draw()[0]).toBe('?');
    expect(errors[0]).toMatch(/nothing/);
  });
});
