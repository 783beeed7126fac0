// Running G-code from a dashboard button: busy while it runs, the host's message when it fails.
import { useCallback, useState } from 'react';
import { api } from '../../api';

export interface GcodeAction {
  busy: boolean;
  error: string | null;
  /** Runs a script on the printer; resolves true when it ran (false: `error` says why). */
  run(script: string): Promise<boolean>;
  /** Runs any API call with the same busy/error handling. */
  act(call: () => Promise<unknown>): Promise<boolean>;
  clearError(): void;
}

export function useGcodeAction(printerId: string | null): GcodeAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = useCallback(async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const run = useCallback(
    (script: string) => (printerId ? act(() => api().call('gcode.run', { printerId, script })) : Promise.resolve(false)),
    [act, printerId],
  );
  return { busy, error, run, act, clearError: () => setError(null) };
}
