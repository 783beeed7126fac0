// The navigation table: one row per panel. To mount a feature, point its row at the feature's
// component (e.g. `component: PreviewPanel` from '../features/preview/PreviewPanel'); the nav,
// routing (#/<id>) and titles follow from this table.
import type { ComponentType } from 'react';
import { BedMeshPage } from '../features/bed-mesh/BedMeshPanel';
import { ConfigPanel } from '../features/config/ConfigPanel';
import { ConsolePanel } from '../features/console/ConsolePanel';
import { DashboardPanel } from '../features/dashboard/DashboardPanel';
import { flashClientFor } from '../features/flash/api-client';
import { FlashWizard } from '../features/flash/FlashWizard';
import { HealthPanel } from '../features/health/HealthPanel';
import { LogsPanel } from '../features/logs/LogsPanel';
import { PrintersPanel } from '../features/printers/PrintersPanel';
import { portsClientFor } from '../features/ports/api-client';
import { PortsPanel } from '../features/ports/PortsPanel';
import { PreviewPanel } from '../features/preview/PreviewPanel';
import { useSelectedPrinter } from './connection-store';
import { api } from '../api';
import type { IconName } from './icons';

export const panelIds = ['dashboard', 'console', 'config', 'preview', 'ports', 'flash', 'printers', 'health', 'logs', 'bed-mesh'] as const;
export type PanelId = (typeof panelIds)[number];

export interface PanelDef {
  id: PanelId;
  icon: IconName;
  component: ComponentType;
}

export const panels: PanelDef[] = [
  { id: 'dashboard', icon: 'dashboard', component: DashboardPanel },
  { id: 'console', icon: 'console', component: ConsolePanel },
  { id: 'config', icon: 'config', component: ConfigPanel },
  { id: 'preview', icon: 'preview', component: PreviewPage },
  { id: 'ports', icon: 'ports', component: PortsPage },
  { id: 'flash', icon: 'flash', component: FlashPage },
  { id: 'printers', icon: 'printers', component: PrintersPanel },
  { id: 'health', icon: 'health', component: HealthPanel },
  { id: 'logs', icon: 'logs', component: LogsPanel },
  { id: 'bed-mesh', icon: 'bedMesh', component: BedMeshPage },
];

function PreviewPage() {
  // Follows the selected printer: its bed, its print's progress, its printing file.
  const printer = useSelectedPrinter();
  return <PreviewPanel client={api()} printerId={printer?.id ?? null} />;
}
function PortsPage() {
  return <PortsPanel client={portsClientFor(api())} />;
}
function FlashPage() {
  return <FlashWizard client={flashClientFor(api())} />;
}

export function panelFromHash(hash: string): PanelId {
  const id = hash.replace(/^#\/?/, '');
  return (panelIds as readonly string[]).includes(id) ? (id as PanelId) : 'dashboard';
}
