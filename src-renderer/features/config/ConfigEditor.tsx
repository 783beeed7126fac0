// The CodeMirror 6 view for printer.cfg: language, folding, live lint from the host, completion
// and hover docs from the option catalog. The parent owns the text; this reports edits.
import { autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, foldGutter, foldKeymap } from '@codemirror/language';
import { linter, lintGutter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, highlightActiveLineGutter, hoverTooltip, keymap, lineNumbers } from '@codemirror/view';
import { forwardRef, useEffect, useImperativeHandle, useRef, type JSX } from 'react';
import type { ConfigDiagnostic } from '../../../src-main/api/contract';
import type { CatalogSection } from '../../../src-main/host/objects/catalog';
import { printerCfg } from './cfg-language';
import { configCompletionSource, hoverDocAt, toEditorDiagnostics } from './editor-sources';

/** The editor's look (lives in the shadow root, so config.css cannot reach it). */
const editorTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', color: 'var(--text)', backgroundColor: 'var(--console-bg)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--text-muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent-soft) 55%, transparent)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'color-mix(in srgb, var(--accent) 25%, transparent) !important' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)', borderRadius: '8px', boxShadow: 'var(--shadow)' },
  '.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--font-mono)', maxHeight: '16em' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-text)' },
  '.cm-completionDetail': { marginLeft: '1em', fontStyle: 'normal', opacity: '0.75' },
  '.cm-completionInfo': { maxWidth: '360px', padding: '6px 10px', fontFamily: 'var(--font-ui)' },
  '.cfg-hover': { maxWidth: '420px', padding: '6px 10px', fontFamily: 'var(--font-ui)', fontSize: '13px' },
  '.cfg-hover div': { color: 'var(--text-muted)', fontSize: '12px' },
  '.cfg-hover p': { margin: '4px 0 0' },
  '.cm-diagnostic': { fontFamily: 'var(--font-ui)' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--surface-2)', border: '1px solid var(--border)', color: 'var(--text-muted)' },
});

export interface ConfigEditorHandle {
  /** Scrolls to a 1-based line and puts the cursor there. */
  goToLine(line: number): void;
  /** Replaces the selection (or inserts at the cursor). */
  insert(text: string): void;
  /** Sets `option: value` in the section around the cursor (adds the line if missing). */
  setOptionHere(option: string, value: string): void;
}

interface Props {
  initialText: string;
  /** Bumps when the text is replaced from outside (load, revert). */
  docKey: string;
  catalog: readonly CatalogSection[];
  validate(text: string): Promise<ConfigDiagnostic[]>;
  onChange(text: string): void;
  onDiagnostics(d: ConfigDiagnostic[]): void;
  /** Ctrl/Cmd-click or F12 on an [include ...] line (1-based line number). */
  onOpenInclude?(line: number): void;
  /** Hover text on [include] lines (how to open them). */
  includeHint?: string;
}

const INCLUDE_LINE = /^\s*\[include\s+[^\]]+\]/;

export const ConfigEditor = forwardRef<ConfigEditorHandle, Props>(function ConfigEditor(props, ref): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return;
    const lint = linter(
      async (v): Promise<Diagnostic[]> => {
        try {
          const found = await latest.current.validate(v.state.doc.toString());
          latest.current.onDiagnostics(found);
          return toEditorDiagnostics(v.state.doc, found);
        } catch {
          return [];
        }
      },
      { delay: 400 },
    );
    /** Opens the include named on the line at `pos`; false if that line is no [include]. */
    const openIncludeAt = (v: EditorView, pos: number): boolean => {
      const line = v.state.doc.lineAt(pos);
      if (!INCLUDE_LINE.test(line.text) || !latest.current.onOpenInclude) return false;
      latest.current.onOpenInclude(line.number);
      return true;
    };
    const includeLinks = [
      EditorView.domEventHandlers({
        mousedown(event, v) {
          if (!(event.ctrlKey || event.metaKey)) return false;
          const pos = v.posAtCoords({ x: event.clientX, y: event.clientY });
          if (pos === null || !openIncludeAt(v, pos)) return false;
          event.preventDefault();
          return true;
        },
      }),
      keymap.of([{ key: 'F12', run: (v) => openIncludeAt(v, v.state.selection.main.head) }]),
    ];
    const hover = hoverTooltip((v, pos) => {
      const line = v.state.doc.lineAt(pos);
      if (INCLUDE_LINE.test(line.text) && latest.current.includeHint) {
        const hint = latest.current.includeHint;
        return {
          pos: line.from,
          end: line.to,
          above: true,
          create: () => {
            const dom = document.createElement('div');
            dom.className = 'cfg-hover';
            dom.textContent = hint;
            return { dom };
          },
        };
      }
      const docAt = hoverDocAt(v.state, pos, latest.current.catalog);
      if (!docAt) return null;
      return {
        pos: docAt.from,
        end: docAt.to,
        above: true,
        create: () => {
          const dom = document.createElement('div');
          dom.className = 'cfg-hover';
          const title = dom.appendChild(document.createElement('strong'));
          title.textContent = docAt.title;
          if (docAt.detail) dom.appendChild(document.createElement('div')).textContent = docAt.detail;
          const doc = dom.appendChild(document.createElement('p'));
          doc.textContent = docAt.doc;
          return { dom };
        },
      };
    });
    // The app's CSP (style-src 'self') blocks the <style> tags CodeMirror injects into a
    // document; inside a shadow root it uses constructed style sheets, which CSP allows.
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    shadow.replaceChildren();
    const parent = shadow.appendChild(document.createElement('div'));
    parent.style.height = '100%';
    const v = new EditorView({
      root: shadow,
      parent,
      state: EditorState.create({
        doc: props.initialText,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          lintGutter(),
          history(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          printerCfg(),
          lint,
          hover,
          includeLinks,
          autocompletion({ override: [configCompletionSource(props.catalog)], icons: false }),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap, indentWithTab]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
          editorTheme,
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // A new document (another printer, a reload) builds a fresh editor.
  }, [props.docKey, props.catalog]);

  useImperativeHandle(ref, () => ({
    goToLine(line) {
      const v = view.current;
      if (!v) return;
      const l = v.state.doc.line(Math.min(Math.max(1, line), v.state.doc.lines));
      v.dispatch({ selection: { anchor: l.from }, effects: EditorView.scrollIntoView(l.from, { y: 'start', yMargin: 40 }) });
      v.focus();
    },
    insert(text) {
      const v = view.current;
      if (!v) return;
      v.dispatch(v.state.replaceSelection(text));
      v.focus();
    },
    setOptionHere(option, value) {
      const v = view.current;
      if (!v) return;
      const doc = v.state.doc;
      const here = doc.lineAt(v.state.selection.main.head).number;
      let start = here;
      while (start > 1 && !/^\[/.test(doc.line(start).text)) start--;
      for (let n = start + 1; n <= doc.lines && !/^\[/.test(doc.line(n).text); n++) {
        const line = doc.line(n);
        if (new RegExp(`^${option}\\s*[:=]`, 'i').test(line.text)) {
          v.dispatch({ changes: { from: line.from, to: line.to, insert: `${option}: ${value}` }, selection: { anchor: line.from } });
          v.focus();
          return;
        }
      }
      const at = doc.line(start);
      v.dispatch({ changes: { from: at.to, insert: `\n${option}: ${value}` }, selection: { anchor: at.to + 1 } });
      v.focus();
    },
  }));

  return <div className="cfg-editor" ref={host} data-testid="config-editor" />;
});
