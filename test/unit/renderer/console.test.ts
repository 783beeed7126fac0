// The console's logic without a browser: history walking, command completion, the store's
// handling of replies, and language selection.
import { describe, expect, it, vi } from 'vitest';
import type { ApiReply, CommandHelp } from '../../../src-main/api/contract';
import { ApiClient, type CarrierBridge } from '../../../src-renderer/api/client';
import { completeCommand, completeInput, suggest } from '../../../src-renderer/features/console/completion';
import { FilteredView, helpRow, parseFilter } from '../../../src-renderer/features/console/filter';
import { HISTORY_LIMIT, historyStep, pushHistory, type HistoryCursor } from '../../../src-renderer/features/console/history';
import { MAX_LINES, isEmergencyStop, useConsole, type ConsoleEntry } from '../../../src-renderer/features/console/store';
import { pickLanguage, resourcesFrom } from '../../../src-renderer/i18n';

describe('history', () => {
  it('skips blanks and immediate repeats, and keeps the newest entries', () => {
    let h: string[] = [];
    for (const c of ['G28', 'G28', '  ', 'M105', 'G28']) h = pushHistory(h, c);
    expect(h).toEqual(['G28', 'M105', 'G28']);
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) h = pushHistory(h, `M118 ${i}`);
    expect(h).toHaveLength(HISTORY_LIMIT);
    expect(h[h.length - 1]).toBe(`M118 ${HISTORY_LIMIT + 9}`);
  });

  it('walks Up to older commands and Down back to the draft', () => {
    const h = ['G28', 'M105', 'HELP'];
    let cursor: HistoryCursor = { index: null, draft: '' };
    const seen: string[] = [];
    let text = 'M11';
    for (const dir of ['up', 'up', 'up', 'up', 'down', 'down', 'down'] as const) {
      ({ cursor, text } = historyStep(h, cursor, text, dir));
      seen.push(text);
    }
    expect(seen).toEqual(['HELP', 'M105', 'G28', 'G28', 'M105', 'HELP', 'M11']);
    expect(cursor.index).toBeNull();
  });
});

describe('completion', () => {
  const cmds: CommandHelp[] = ['HELP', 'M118', 'RESPOND', 'RESTART', 'SET_FAN_SPEED'].map((name) => ({ name, help: '' }));
  it('completes a unique prefix with a trailing space', () => {
    expect(completeCommand('resp', cmds).text).toBe('RESPOND ');
  });
  it('extends to the common prefix and lists the choices', () => {
    const c = completeCommand('R', cmds);
    expect(c.text).toBe('RES');
    expect(c.matches.map((m) => m.name)).toEqual(['RESPOND', 'RESTART']);
  });
  it('leaves parameters and unknown prefixes alone', () => {
    expect(completeCommand('M118 he', cmds)).toEqual({ text: 'M118 he', matches: [] });
    expect(completeCommand('XYZ', cmds)).toEqual({ text: 'XYZ', matches: [] });
  });
});

describe('parameter completion', () => {
  const cmds: CommandHelp[] = [
    { name: 'SET_HEATER_TEMPERATURE', help: 'Sets a heater temperature', params: { HEATER: 'heater name', TARGET: 'target temperature (C)' } },
    { name: 'SET_FAN_SPEED', help: 'Sets a fan speed', params: { FAN: 'fan name', SPEED: '0..1' } },
    { name: 'HELP', help: 'Lists commands' },
  ];
  it('offers the parameters of the typed command with their help, not those already given', () => {
    expect(suggest('SET_HEATER_TEMPERATURE ', cmds).map((s) => [s.label, s.help])).toEqual([
      ['HEATER', 'heater name'],
      ['TARGET', 'target temperature (C)'],
    ]);
    expect(suggest('set_heater_temperature HEATER=extruder ', cmds).map((s) => s.label)).toEqual(['TARGET']);
    expect(suggest('SET_HEATER_TEMPERATURE HEATER=ext', cmds)).toEqual([]);
  });
  it('Tab fills a unique parameter name with its =, and command names as before', () => {
    expect(completeInput('SET_HEATER_TEMPERATURE HEATER=extruder t', cmds).text).toBe('SET_HEATER_TEMPERATURE HEATER=extruder TARGET=');
    expect(completeInput('set_f', cmds).text).toBe('SET_FAN_SPEED ');
    expect(completeInput('SET_', cmds)).toMatchObject({ text: 'SET_' });
    expect(completeInput('SET_', cmds).choices.map((c) => c.label)).toEqual(['SET_HEATER_TEMPERATURE', 'SET_FAN_SPEED']);
  });
});

describe('console filter', () => {
  const row = (seq: number, kind: ConsoleEntry['kind'], text: string): ConsoleEntry => ({ seq, kind, text, timeMs: 0 });
  it('hides matching rows but never errors, commands or prompts', () => {
    const view = new FilteredView(parseFilter('^ok|B:').regex);
    const rows = [
      row(1, 'info', 'ok'),
      row(2, 'info', 'B:60.0 /60.0'),
      row(3, 'error', '!! ok but failed'),
      row(4, 'command', 'ok'),
      row(5, 'info', '// action:prompt_begin ok?'),
      row(6, 'info', 'Printer is ready'),
    ];
    expect(view.update(rows).map((r) => r.seq)).toEqual([3, 4, 5, 6]);
    // Incremental: new rows are tested once, trimmed rows leave the view.
    rows.push(row(7, 'raw', 'ok'), row(8, 'raw', 'hello'));
    rows.splice(0, 3);
    expect(view.update(rows).map((r) => r.seq)).toEqual([4, 5, 6, 8]);
  });
  it('reports a bad pattern instead of throwing', () => {
    expect(parseFilter('(').error).toMatch(/./);
    expect(parseFilter('  ')).toEqual({ regex: null, error: null });
  });
  it('splits HELP rows into name and help', () => {
    expect(helpRow('G28                  : Move to origin')).toEqual({ name: 'G28', help: 'Move to origin' });
    expect(helpRow('// SET_FAN_SPEED      : Sets the speed of a fan')).toEqual({ name: 'SET_FAN_SPEED', help: 'Sets the speed of a fan' });
    expect(helpRow('Printer is ready')).toBeNull();
  });
  it('recognises M112 anywhere in a script', () => {
    expect(isEmergencyStop('G28\nm112')).toBe(true);
    expect(isEmergencyStop('M1120')).toBe(false);
  });
});

function fakeClient(reply: ApiReply): { client: ApiClient; call: ReturnType<typeof vi.fn> } {
  const call = vi.fn(async () => reply);
  const bridge: CarrierBridge = {
    carrier: 'ipc',
    call,
    on: () => () => undefined,
    status: () => 'connected',
    onStatus: () => () => undefined,
  };
  return { client: new ApiClient(bridge), call };
}

describe('console store', () => {
  it('sends through gcode.run and records history', async () => {
    const { client, call } = fakeClient({ ok: true, result: { done: true } });
    await useConsole.getState().send(client, 'printer-1', 'M118 hi');
    expect(call).toHaveBeenCalledWith('gcode.run', { printerId: 'printer-1', script: 'M118 hi' });
    expect(useConsole.getState().history.at(-1)).toBe('M118 hi');
  });

  it('does not repeat a G-code error (the host already printed it) but shows other failures', async () => {
    useConsole.getState().clear('p');
    await useConsole
      .getState()
      .send(fakeClient({ ok: false, error: { code: 'gcode_error', message: 'Unknown command: "X"' } }).client, 'p', 'X');
    expect(useConsole.getState().lines.p).toEqual([]);
    await useConsole
      .getState()
      .send(fakeClient({ ok: false, error: { code: 'disconnected', message: 'Connection lost' } }).client, 'p', 'M105');
    expect(useConsole.getState().lines.p.map((l) => [l.kind, l.text])).toEqual([['error', '!! Connection lost']]);
  });

  it('keeps at most MAX_LINES per printer, newest last', () => {
    const { append } = useConsole.getState();
    useConsole.getState().clear('q');
    append(
      'q',
      Array.from({ length: MAX_LINES + 5 }, (_, i) => ({ kind: 'raw' as const, text: `line ${i}`, timeMs: i })),
    );
    const lines = useConsole.getState().lines.q;
    expect(lines).toHaveLength(MAX_LINES);
    expect(lines.at(-1)?.text).toBe(`line ${MAX_LINES + 4}`);
  });

  it('keeps at least 20,000 lines and splits multi-line replies into rows', () => {
    expect(MAX_LINES).toBeGreaterThanOrEqual(20_000);
    useConsole.getState().clear('r');
    useConsole.getState().append('r', [{ kind: 'info', text: 'A : a\nB : b', timeMs: 1 }]);
    expect(useConsole.getState().lines.r.map((l) => l.text)).toEqual(['A : a', 'B : b']);
  });
});

describe('i18n', () => {
  it('follows the system language unless the user chose one', () => {
    expect(pickLanguage(null, ['zh-CN', 'en-US'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh-TW'])).toBe('zh-CN');
    expect(pickLanguage(null, ['de-DE', 'en-GB'])).toBe('en');
    expect(pickLanguage(null, ['fr-FR'])).toBe('en');
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
    expect(pickLanguage('klingon', ['zh-CN'])).toBe('zh-CN');
  });

  it('names each feature namespace after its folder', () => {
    const r = resourcesFrom({
      '../features/ports/locales/en.json': { title: 'Ports' },
      '../features/ports/locales/zh-CN.json': { title: '端口' },
      '../shell/locales/en.json': { language: 'Language' },
    });
    expect(r).toEqual({ en: { ports: { title: 'Ports' }, shell: { language: 'Language' } }, 'zh-CN': { ports: { title: '端口' } } });
  });
});
