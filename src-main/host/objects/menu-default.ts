// Our default menu (not Klipper's menu.cfg): Info, Temperature, Control (home, move axes, fan,
// motors off), Filament, SD card files, Setup (restart). Item ids use Klipper's naming
// ('__main __control ...'), so [menu __main __control my_item] in printer.cfg adds to our
// Control list and [menu __main __temp __nozzle] replaces our nozzle item.
import type { MenuItemSpec } from './menu';

// Status positions are lists: [x, y, z, e].
const AXIS_INDEX = { x: 0, y: 1, z: 2 } as const;

const axisMove = (axis: 'x' | 'y' | 'z', feed: number): MenuItemSpec => ({
  id: `__main __control __move_${axis}`,
  type: 'input',
  name: `Move ${axis.toUpperCase()}: {'%6.1f' % menu.input}`,
  enable: `{'${axis}' in printer.toolhead.homed_axes|default('')}`,
  input: `{printer.gcode_move.gcode_position[${AXIS_INDEX[axis]}]|default(0)}`,
  inputMin: `{printer.toolhead.axis_minimum[${AXIS_INDEX[axis]}]|default(0)}`,
  inputMax: `{printer.toolhead.axis_maximum[${AXIS_INDEX[axis]}]|default(0)}`,
  inputStep: axis === 'z' ? 0.1 : 1,
  gcode: `SAVE_GCODE_STATE NAME=__menu_move\nG90\nG1 ${axis.toUpperCase()}{'%.2f' % menu.input} F${feed}\nRESTORE_GCODE_STATE NAME=__menu_move`,
});

export const DEFAULT_MENU: MenuItemSpec[] = [
  { id: '__main', type: 'list', name: 'Main' },
  { id: '__main __info', type: 'list', name: 'Info' },
  {
    id: '__main __info __state',
    type: 'disabled',
    name: "State: {printer.print_stats.state|default('standby')}",
  },
  {
    id: '__main __info __nozzle',
    type: 'disabled',
    enable: "{'extruder' in printer}",
    name: "Nozzle {'%.0f' % printer.extruder.temperature|default(0)}/{'%.0f' % printer.extruder.target|default(0)}",
  },
  {
    id: '__main __info __bed',
    type: 'disabled',
    enable: "{'heater_bed' in printer}",
    name: "Bed {'%.0f' % printer.heater_bed.temperature|default(0)}/{'%.0f' % printer.heater_bed.target|default(0)}",
  },
  {
    id: '__main __info __progress',
    type: 'disabled',
    name: "Progress {'%d' % (printer.display_status.progress|default(0) * 100)}%",
  },
  { id: '__main __temp', type: 'list', name: 'Temperature' },
  {
    id: '__main __temp __nozzle',
    type: 'input',
    enable: "{'extruder' in printer}",
    name: "Nozzle: {'%3.0f' % menu.input}",
    input: '{printer.extruder.target|default(0)}',
    inputMin: '0',
    inputMax: '{printer.configfile.settings.extruder.max_temp|default(250)|float}',
    inputStep: 5,
    gcode: "M104 S{'%.0f' % menu.input}",
  },
  {
    id: '__main __temp __bed',
    type: 'input',
    enable: "{'heater_bed' in printer}",
    name: "Bed: {'%3.0f' % menu.input}",
    input: '{printer.heater_bed.target|default(0)}',
    inputMin: '0',
    inputMax: '{printer.configfile.settings.heater_bed.max_temp|default(100)|float}',
    inputStep: 5,
    gcode: "M140 S{'%.0f' % menu.input}",
  },
  {
    id: '__main __temp __preheat_pla',
    type: 'command',
    name: 'Preheat PLA',
    gcode: "M104 S200\n{% if 'heater_bed' in printer %}M140 S60{% endif %}",
  },
  { id: '__main __temp __cooldown', type: 'command', name: 'Cooldown', gcode: 'TURN_OFF_HEATERS' },
  { id: '__main __control', type: 'list', name: 'Control' },
  { id: '__main __control __home', type: 'command', name: 'Home all', gcode: 'G28' },
  axisMove('x', 3000),
  axisMove('y', 3000),
  axisMove('z', 600),
  {
    id: '__main __control __fan',
    type: 'input',
    enable: "{'fan' in printer}",
    name: "Fan: {'%3d' % menu.input}%",
    input: '{(printer.fan.speed|default(0) * 100)|round|int}',
    inputMin: '0',
    inputMax: '100',
    inputStep: 5,
    gcode: "M106 S{'%d' % (menu.input * 2.55)|round}",
  },
  { id: '__main __control __motors_off', type: 'command', name: 'Motors off', gcode: 'M84' },
  { id: '__main __filament', type: 'list', name: 'Filament', enable: "{'extruder' in printer}" },
  {
    id: '__main __filament __load',
    type: 'command',
    name: 'Load 50mm',
    enable: '{printer.extruder.can_extrude|default(false)}',
    gcode: 'SAVE_GCODE_STATE NAME=__menu_filament\nM83\nG1 E50 F300\nRESTORE_GCODE_STATE NAME=__menu_filament',
  },
  {
    id: '__main __filament __unload',
    type: 'command',
    name: 'Unload 50mm',
    enable: '{printer.extruder.can_extrude|default(false)}',
    gcode: 'SAVE_GCODE_STATE NAME=__menu_filament\nM83\nG1 E-50 F1200\nRESTORE_GCODE_STATE NAME=__menu_filament',
  },
  { id: '__main __sdcard', type: 'vsdlist', name: 'SD card', enable: "{'virtual_sdcard' in printer}" },
  { id: '__main __setup', type: 'list', name: 'Setup' },
  { id: '__main __setup __restart', type: 'command', name: 'Restart host', gcode: 'RESTART' },
  { id: '__main __setup __firmware_restart', type: 'command', name: 'Restart firmware', gcode: 'FIRMWARE_RESTART' },
];
