// Machine health: each MCU link's figures, one section per MCU under its config name ('mcu',
// 'mcu toolboard'): load, bytes, retransmits, sequence numbers, round trip, clock drift; and the
// host process's CPU and memory, each with a short explanation, and findings that say what to check when "Lost communication with MCU" happens.
import { useEffect, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { HealthStats, McuHealth } from '../../../src-main/api/contract';
import { api } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import type { DerivedHealth, Finding, McuDerived } from './health-derive';
import { formatBytes } from './health-derive';
import { pollHealth, useHealth } from './health-store';
import './health.css';

type Row = { key: string; value: string };

const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
const pct = (f: number) => `${(f * 100).toFixed(1)} %`;
const int = (n: number) => n.toLocaleString();
const hz = (n: number) => `${(n / 1e6).toFixed(6)} MHz`;

function mcuRows(m: McuHealth, d: McuDerived | undefined): { group: string; rows: Row[] }[] {
  const perS = (v: number | null | undefined) => (v === null || v === undefined ? '' : ` (${formatBytes(v)}/s)`);
  return [
    {
      group: 'mcu',
      rows: [
        { key: 'mcuState', value: m.shutdownReason ? `${m.state}: ${m.shutdownReason}` : m.state },
        { key: 'firmware', value: m.version || '—' },
        { key: 'awake', value: pct(m.awake) },
        { key: 'taskAvg', value: `${ms(m.taskAvgS)} ± ${ms(m.taskStddevS)}` },
      ],
    },
    {
      group: 'link',
      rows: [
        { key: 'bytesWrite', value: `${formatBytes(m.bytesWrite)}${perS(d?.bytesWritePerS)}` },
        { key: 'bytesRead', value: `${formatBytes(m.bytesRead)}${perS(d?.bytesReadPerS)}` },
        { key: 'retransmits', value: `${int(m.retransmits)} (${formatBytes(m.bytesRetransmit)})` },
        { key: 'bytesInvalid', value: `${int(m.bytesInvalid)} / ${int(m.invalidMessages)}` },
        { key: 'seq', value: `${int(m.sendSeq)} / ${int(m.receiveSeq)}` },
        { key: 'rtt', value: `${ms(m.srttS)} ± ${ms(m.rttvarS)}, RTO ${ms(m.rtoS)}` },
        { key: 'queued', value: `${formatBytes(m.readyBytes)} / ${formatBytes(m.upcomingBytes)}` },
      ],
    },
    {
      group: 'clock',
      rows: [
        { key: 'freq', value: `${hz(m.freqHz)} / ${hz(m.configuredFreqHz)}` },
        { key: 'drift', value: `${m.clockDriftPpm >= 0 ? '+' : ''}${m.clockDriftPpm.toFixed(1)} ppm` },
      ],
    },
  ];
}

function hostRows(h: NonNullable<HealthStats['host']>, d: DerivedHealth | null): Row[] {
  return [
    { key: 'hostCpu', value: d?.hostCpuPercent === null || d?.hostCpuPercent === undefined ? '…' : `${d.hostCpuPercent.toFixed(1)} %` },
    { key: 'hostMemory', value: `${formatBytes(h.rssBytes)} (heap ${formatBytes(h.heapUsedBytes)})` },
    { key: 'hostUptime', value: `${Math.round(h.uptimeS)} s, pid ${h.pid}` },
    { key: 'sysload', value: h.sysload.toFixed(2) },
    { key: 'memAvail', value: formatBytes(h.memAvailBytes) },
  ];
}

/** `idPrefix` keeps heading ids unique when each MCU has its own cards. */
function MetricTable({ group, rows, idPrefix = 'health' }: { group: string; rows: Row[]; idPrefix?: string }): JSX.Element {
  const { t } = useTranslation('health');
  return (
    <article className="card health-card" aria-labelledby={`${idPrefix}-${group}`}>
      <h2 id={`${idPrefix}-${group}`}>{t(`group.${group}`)}</h2>
      <dl className="health-metrics">
        {rows.map((r) => (
          <div key={r.key} className="health-metric" data-testid={`health-${r.key}`}>
            <dt>{t(`metric.${r.key}.label`)}</dt>
            <dd className="mono">{r.value}</dd>
            <dd className="health-help">{t(`metric.${r.key}.help`)}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}

export function HealthPanel(): JSX.Element {
  const { t } = useTranslation('health');
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  const last = useHealth((s) => s.last);
  const derived = useHealth((s) => s.derived);
  const error = useHealth((s) => s.error);
  const printerId = printer?.id;

  useEffect(() => {
    if (!printerId || !connected) return;
    return pollHealth(api(), printerId);
  }, [printerId, connected]);

  const shown = last && last.printerId === printerId ? last : null;
  const mcus = shown ? (shown.mcus.length ? shown.mcus : shown.mcu ? [shown.mcu] : []) : [];
  // Each MCU's findings name it when there are several; the host's findings follow.
  const findings: { key: Finding; mcu: string | null }[] = derived
    ? [
        ...derived.mcus.flatMap((m) => m.findings.map((key) => ({ key, mcu: derived.mcus.length > 1 ? m.name : null }))),
        ...derived.hostFindings.map((key) => ({ key, mcu: null })),
      ]
    : [];
  return (
    <section className="panel health-panel" aria-labelledby="health-title">
      <header className="panel-header">
        <h1 id="health-title">{t('title')}</h1>
      </header>
      <p className="muted">{t('intro')}</p>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      {!printer && <p>{t('noPrinter')}</p>}
      {findings.length > 0 && shown && (
        <ul className="health-findings" aria-label={t('findings')} data-testid="health-findings">
          {findings.map((f) => (
            <li key={`${f.mcu ?? ''}/${f.key}`}>{f.mcu ? t('findingOf', { mcu: f.mcu, text: t(`finding.${f.key}`) }) : t(`finding.${f.key}`)}</li>
          ))}
        </ul>
      )}
      {shown?.note && (
        <p className="health-note" data-testid="health-note">
          {t('note', { note: shown.note })}
        </p>
      )}
      {mcus.map((m, i) => (
        <section key={m.name} className="health-mcu" aria-labelledby={`health-mcu-${i}`} data-testid={`health-mcu-${m.name}`}>
          <h2 id={`health-mcu-${i}`} className="health-mcu-title">
            {t('mcuSection', { name: m.name })}
          </h2>
          <div className="grid">
            {mcuRows(
              m,
              derived?.mcus.find((d) => d.name === m.name),
            ).map((g) => (
              <MetricTable key={g.group} group={g.group} rows={g.rows} idPrefix={`health-mcu-${i}`} />
            ))}
          </div>
        </section>
      ))}
      <div className="grid">{shown?.host && <MetricTable group="host" rows={hostRows(shown.host, derived)} />}</div>
      {printer && !shown && !error && <p className="muted">{t('loading')}</p>}
    </section>
  );
}
