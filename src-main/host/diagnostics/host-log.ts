// Reading a printer's host log (written by HostThread: "<ISO time> <line>") for the log view:
// only the end of a long file, each entry with a level so the view can filter.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LogLevel, LogLine, LogView } from '../../api/contract';

/** How much of the file's end is read at most (a log grows for as long as the printer runs). */
export const LOG_TAIL_BYTES = 2 * 1024 * 1024;

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

/**
 * The level of one log entry, from how HostThread writes it: console lines start with their
 * kind ('error: ', 'info: ', 'command: ', 'raw: '), lifecycle lines with 'state <state>:' or
 * 'host ...'.
 */
export function levelOf(text: string): LogLevel {
  if (/^error: /.test(text) || /^state error:/.test(text) || /^host (crashed|exited unexpectedly|process error)/.test(text)) return 'error';
  if (/^state shutdown:/.test(text) || /did not stop within/.test(text) || /^info: !! /.test(text)) return 'warning';
  if (/^raw: /.test(text)) return 'debug';
  return 'info';
}

/** Splits log text into entries; lines without a time stamp continue the entry above them. */
export function parseHostLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = STAMP.exec(line);
    if (m) out.push({ time: m[1], level: levelOf(m[2]), text: m[2] });
    else if (out.length) out[out.length - 1].text += `\n${line}`;
    else out.push({ time: '', level: 'info', text: line });
  }
  return out;
}

/** The end of a file as text (at most `maxBytes`), and whether it was cut. */
export function readTail(file: string, maxBytes = LOG_TAIL_BYTES): { text: string; truncated: boolean } {
  if (!existsSync(file)) return { text: '', truncated: false };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    // Cut mid-file: drop the partial first line.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, truncated: start > 0 };
  } finally {
    closeSync(fd);
  }
}

export function readHostLog(file: string, maxLines = 2000): LogView {
  const { text, truncated } = readTail(file);
  const lines = parseHostLog(text);
  return { path: file, lines: lines.slice(-maxLines), truncated: truncated || lines.length > maxLines };
}
