// Sends a file to the printer's G-code folder in chunks (files.uploadBegin/Chunk/End); the file
// is listed only once every byte has arrived. A failed chunk aborts, leaving nothing behind.
import type { GCodeFileInfo } from '../../../src-main/api/contract';
import type { ApiClient } from '../../api';
import { bytesToBase64, chunkRanges } from './model';

/** What an upload needs of a browser File (a Blob with a name); tests pass their own. */
export interface UploadSource {
  name: string;
  size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export async function uploadFile(
  client: ApiClient,
  printerId: string,
  file: UploadSource,
  onProgress: (doneBytes: number, totalBytes: number) => void,
): Promise<GCodeFileInfo> {
  const { uploadId } = await client.call('files.uploadBegin', { printerId, name: file.name, size: file.size });
  try {
    for (const [start, end] of chunkRanges(file.size)) {
      const bytes = new Uint8Array(await file.slice(start, end).arrayBuffer());
      const { doneBytes, totalBytes } = await client.call('files.uploadChunk', {
        uploadId,
        offset: start,
        dataBase64: bytesToBase64(bytes),
      });
      onProgress(doneBytes, totalBytes);
    }
    return await client.call('files.uploadEnd', { uploadId });
  } catch (e) {
    await client.call('files.uploadAbort', { uploadId }).catch(() => undefined);
    throw e;
  }
}
