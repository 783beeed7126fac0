// "Export diagnostics": the host builds one .tar.gz; the desktop app saves it through a dialog,
// serve mode sends it back and the browser downloads it.
import type { DiagnosticsExport } from '../../../src-main/api/contract';
import type { ApiClient } from '../../api';

export type ExportOutcome = { kind: 'saved'; path: string; result: DiagnosticsExport } | { kind: 'downloaded'; result: DiagnosticsExport } | { kind: 'cancelled' };

function download(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/gzip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportDiagnostics(client: ApiClient, printerId?: string): Promise<ExportOutcome> {
  const result = await client.call('diagnostics.export', printerId ? { printerId } : {});
  if (result.savedPath) return { kind: 'saved', path: result.savedPath, result };
  if (result.archiveBase64) {
    download(result.fileName, result.archiveBase64);
    return { kind: 'downloaded', result };
  }
  return { kind: 'cancelled' };
}
