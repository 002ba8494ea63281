import type { StatusReport, TrafficReport } from './status-report-types.js';
import type { ServiceImages } from '../../state/state-schema.js';
import { describeIdentity, shortDigest } from '../image-identity.js';
import type { TrafficWeights } from './traffic-weights.js';

/**
 * The human form of `cutover status`: a compact block of labelled lines and
 * small aligned tables, for a terminal. Problems are not repeated here: the
 * command prints them (with hints) on stderr; this ends with a one-line verdict.
 */

/** Left-aligned columns separated by two spaces; every row indented. */
function table(header: string[], rows: string[][], indent = '  '): string[] {
  if (rows.length === 0) return [`${indent}none known`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `${indent}${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `2024-05-01 12:00:03Z (3 min ago)` */
export function formatAt(iso: string, now: string): string {
  const at = Date.parse(iso);
  const shown = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((Date.parse(now) - at) / 1000);
  if (seconds < 0) return shown;
  const ago = seconds < 90 ? `${seconds} s` : seconds < 90 * 60 ? `${Math.round(seconds / 60)} min` : seconds < 36 * 3600 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 86400)} d`;
  return `${shown} (${ago} ago)`;
}

function describeTraffic(traffic: TrafficReport): string {
  switch (traffic.kind) {
    case 'color':
      return `every service → ${traffic.color}`;
    case 'plain':
      return 'plain Compose mode: every service → its plain service (before the first deploy, or after cutover reset)';
    case 'mixed':
      return `split: ${traffic.detail}`;
    case 'unknown':
      return `unknown: ${traffic.reason}`;
  }
}

function describeWeights(weights: TrafficWeights | null): string {
  if (weights === null) return '';
  const parts = (['blue', 'green', 'plain'] as const).filter((k) => weights[k] > 0).map((k) => `${k} ${weights[k]}%`);
  return parts.join(' ');
}

/** `images  web 127.0.0.1:5000/app:latest@sha256:0123456789ab, api ...`: one line per service. */
function describeImages(images: ServiceImages | null): string[] {
  if (images === null) return [];
  return Object.entries(images).map(([service, identity]) => `${service}: ${describeIdentity(identity)}`);
}

/** A version with its digest (`latest@sha256:0123456789ab`) when every service ran one digest, else each service's. */
function withDigest(version: string, images: ServiceImages | null): string {
  if (images === null) return version;
  const marks = Object.values(images).map((i) => (i.digest === null ? `${shortDigest(i.id)} (local)` : shortDigest(i.digest)));
  const distinct = [...new Set(marks)];
  if (distinct.length === 1 && !version.startsWith('sha256:')) return `${version}@${distinct[0]}`;
  if (distinct.length === 1) return version;
  return `${version} [${Object.entries(images).map(([service], index) => `${service} ${marks[index]}`).join(', ')}]`;
}

/** Project, active and standby colors, where traffic goes. */
function renderSummary(report: StatusReport, now: string): string[] {
  const out: string[] = [];
  const p = report.project;
  out.push(`project    ${p.name ?? '(unknown)'}  ${p.dir}`);
  out.push(`sources    state ${p.stateFile}  caddy ${p.caddyAdmin}  docker ${p.dockerEndpoint}`);
  out.push(
    `active     ${report.active === null ? 'none recorded' : `${report.active.color} ${report.active.version}, since ${formatAt(report.active.since, now)}`}`,
  );
  for (const line of describeImages(report.active?.images ?? null)) out.push(`             ${line}`);
  out.push(`traffic    ${describeTraffic(report.traffic)}`);
  // Several Caddy instances: one line each (one Caddy: the lines above say it all).
  if (report.instances.length > 1) {
    for (const i of report.instances) {
      const where = i.reachable ? describeTraffic(i.traffic) : `unreachable (${i.traffic.kind === 'unknown' ? i.traffic.reason : ''})`;
      const marks = [i.drift === true ? 'DRIFT' : '', i.reachable && i.previewRoutes === false ? 'no preview routes' : ''].filter((m) => m !== '');
      out.push(`  caddy    ${i.address}: ${where}${marks.length > 0 ? ` [${marks.join(', ')}]` : ''}`);
    }
  }
  const s = report.standby;
  const standbyState = s === null ? '' : s.running === null ? 'containers unknown' : !s.running ? 'not running' : s.healthy === true ? 'running, healthy' : 'running, not healthy';
  out.push(`standby    ${s === null ? 'none' : `${s.color} ${s.version}: ${standbyState}`}`);
  for (const line of describeImages(s?.images ?? null)) out.push(`             ${line}`);
  for (const why of s?.detail ?? []) out.push(`             ${why}`);
  return out;
}

/** The operation in progress (with its canary step and analysis), and the lock. */
function renderOperation(report: StatusReport, now: string): string[] {
  const out: string[] = [];
  const op = report.operation;
  const figures = op?.canary?.analysis?.figures;
  const analysis = figures === undefined ? '' : `\n           analysis: ${Object.entries(figures).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`).join(', ')}`;
  out.push(
    `operation  ${
      op === null
        ? 'none'
        : `${op.status}: ${op.kind} ${op.fromVersion ?? '(none)'} → ${op.toVersion} (${op.toColor}), phase ${op.phase} since ${formatAt(op.phaseSince, now)}, pid ${op.pid} on ${op.host}${
            op.canary === null ? '' : `, canary step ${op.canary.stepIndex + 1}/${op.canary.steps.length} (blue ${op.canary.weights.blue}%, green ${op.canary.weights.green}%)${op.canary.paused ? ', paused: cutover promote or cutover abort' : ''}`
          }`
    }${analysis}`,
  );
  const lock = report.lock;
  out.push(
    `lock       ${
      lock.status === 'free'
        ? 'free'
        : lock.status === 'unreadable'
          ? `unreadable (${lock.problem})`
          : `held by ${lock.command}, pid ${lock.pid} on ${lock.host} since ${formatAt(lock.startedAt, now)}${lock.liveness === 'dead' ? ' (process gone: stale)' : ''}`
    }`,
  );
  return out;
}

/** One row per container of each colored service. */
function renderContainers(report: StatusReport): string[] {
  const out: string[] = [];
  out.push('containers');
  const containerRows = report.services.flatMap((svc) =>
    svc.containers.length === 0
      ? [[svc.name, '-', '-', '(none)', '-', '-', '']]
      : svc.containers.map((c) => [svc.name, c.color ?? 'plain', c.version, c.name, c.state, c.health, c.image === null ? '?' : describeIdentity(c.image), c.serving === true ? 'serving' : '']),
  );
  out.push(...table(['SERVICE', 'COLOR', 'VERSION', 'CONTAINER', 'STATE', 'HEALTH', 'IMAGE', ''], containerRows));
  for (const svc of report.services) if (!svc.configured) out.push(`  (${svc.name} is no longer in the compose files)`);
  return out;
}

/** Each handler's dials with their in-flight counts and weights, then the rows that are not live. */
function renderUpstreams(report: StatusReport): string[] {
  const out: string[] = [];
  out.push("upstreams  (Caddy's live config; in flight now)");
  const dialRows = report.services.flatMap((svc) =>
    svc.handlers.length === 0
      ? [[svc.name, '', report.traffic.kind === 'unknown' ? '(unknown)' : '(no handler: an internal service)', '', '', '']]
      : svc.handlers.flatMap((h) =>
          h.dials.map((d, i) => [svc.name, i === 0 ? String(h.port) : '', d.dial, d.color ?? '?', d.inFlight === null ? '?' : String(d.inFlight), i === 0 ? describeWeights(h.weights) : '']),
        ),
  );
  out.push(...table(['SERVICE', 'PORT', 'DIAL', 'COLOR', 'IN FLIGHT', 'WEIGHTS'], dialRows));
  const notLive = report.upstreams.filter((u) => !u.live);
  if (notLive.length > 0) {
    out.push('  not live (preview or draining):');
    for (const u of notLive) out.push(`    ${u.address}${u.service === null ? '' : ` (${u.service} ${u.color ?? '?'})`}: ${u.inFlight} in flight`);
  }
  return out;
}

/** Shared services, preview routes, the last operations. */
function renderSharedAndHistory(report: StatusReport, now: string): string[] {
  const out: string[] = [];
  out.push(
    `shared     ${
      report.shared.length === 0
        ? 'none'
        : report.shared.map((sh) => `${sh.name} ${sh.present ? sh.containers.map((c) => `${c.name} ${c.state}`).join(', ') : 'missing'}`).join('; ')
    }`,
  );
  out.push(
    `preview    ${report.preview.colors.length === 0 ? 'no preview routes' : report.preview.colors.map((c) => `${report.preview.header}: ${c}`).join('  |  ')}`,
  );
  if (report.history.length === 0) out.push('history    none');
  else {
    out.push('history    (newest first)');
    out.push(
      ...table(
        ['FINISHED', 'KIND', 'CHANGE', 'OUTCOME'],
        report.history.map((h) => [
          formatAt(h.finishedAt, now),
          h.kind,
          `${h.fromVersion === null ? (h.fromColor ?? 'nothing') : `${withDigest(h.fromVersion, h.fromImages)} (${h.fromColor ?? '?'})`} → ${withDigest(h.version, h.images)} (${h.color})`,
          `${h.outcome}${h.reason === null ? '' : `: ${h.reason}`}`,
        ]),
      ),
    );
  }
  return out;
}

/** Drift, then the verdict with the count of problems. */
function renderVerdict(report: StatusReport): string[] {
  const out: string[] = [];
  if (report.drift.length === 0) out.push('drift      none');
  else {
    out.push('drift      CADDY AND THE STATE FILE DISAGREE');
    for (const d of report.drift) out.push(`  ${d.service ?? 'all services'}: state file: ${d.state}; Caddy: ${d.caddy}`);
  }
  const errors = report.problems.filter((pr) => pr.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const counted = [errors > 0 ? `${errors} error(s)` : '', warnings > 0 ? `${warnings} warning(s)` : ''].filter((x) => x !== '').join(', ');
  out.push(`verdict    ${report.ok ? 'ok' : `NOT OK (exit ${report.exitCode})`}${counted === '' ? '' : `: ${counted}, listed on stderr`}`);
  return out;
}

export function renderStatus(report: StatusReport): string {
  const now = report.observedAt;
  const out = [
    ...renderSummary(report, now),
    ...renderOperation(report, now),
    '',
    ...renderContainers(report),
    '',
    ...renderUpstreams(report),
    '',
    ...renderSharedAndHistory(report, now),
    '',
    ...renderVerdict(report),
  ];
  return `${out.join('\n')}\n`;
}
