// Renderer entry: i18n first (every string is translated), then the API carrier (preload
// bridge or WebSocket), the stores' subscriptions, and the shell.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectApi } from './api';
import { attachConsole } from './features/console/store';
import { initI18n } from './i18n';
import { useConnection } from './shell/connection-store';
import { Shell } from './shell/Shell';
import './styles.css';

async function boot(): Promise<void> {
  await initI18n();
  const client = connectApi();
  useConnection.getState().attach(client);
  attachConsole(client);
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  createRoot(root).render(
    <StrictMode>
      <Shell />
    </StrictMode>,
  );
}

void boot();
