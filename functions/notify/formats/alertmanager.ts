/**
 * Prometheus Alertmanager API v2 (POST /api/v2/alerts, a JSON array of postableAlert). Alertmanager identifies an
 * alert by its label set, so the labels are fixed for the whole episode (alertname, fabric, vni, mac, severity: those
 * of the raise) and everything that changes — moves, VTEPs, the fabrics of a cross-fabric alert — goes in annotations.
 * A raised alert carries endsAt a few re-send periods ahead and is re-sent while active (as Prometheus does), so it
 * stays firing while evpn-lens says so and resolves by itself if evpn-lens stops; a clear sets endsAt to the clear time.
 */
import type { AlertKind } from '../../../schemas/tables/index.js';
import type { AlertView } from '../alert-view.js';
import { dashboardLink, type FormatContext, type HttpRequest } from './http-request.js';

export const ALERTNAMES: Record<AlertKind, string> = {
  'mac-flap': 'EvpnLensMacFlap',
  'duplicate-mac': 'EvpnLensDuplicateMac',
  'sticky-move': 'EvpnLensStickyMacMove',
  'fabric-status': 'EvpnLensFabricStatus',
};

/** endsAt of a raised alert = now + this many re-send periods (Prometheus uses 4 × its resend delay). */
export const ENDS_AT_PERIODS = 4;

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export function alertmanagerLabels(v: AlertView): Record<string, string> {
  return {
    alertname: ALERTNAMES[v.kind],
    fabric: v.fabric,
    ...(v.kind !== 'fabric-status' ? { vni: String(v.vni ?? 0), mac: v.mac ?? '' } : {}),
    severity: v.severity,
  };
}

function summary(v: AlertView): string {
  const where = v.crossFabric ? `fabrics ${v.fabrics.join(', ')}` : v.fabric;
  switch (v.kind) {
    case 'mac-flap':
      return `MAC ${v.mac} is flapping in VNI ${v.vni} (${where})`;
    case 'duplicate-mac':
      return `MAC ${v.mac} is advertised from two places in VNI ${v.vni} (${where})`;
    case 'sticky-move':
      return `Sticky MAC ${v.mac} is advertised from elsewhere in VNI ${v.vni} (${where})`;
    case 'fabric-status':
      return `Fabric ${v.fabric} is ${v.status ?? 'not ok'}`;
  }
}

/** "dc1 10.0.0.1+10.0.0.2 (seq 3), dc2 10.9.0.1 (seq 4)": where the MAC was advertised from. */
export function vtepList(v: AlertView): string {
  return v.locations.map((l) => `${l.fabric} ${(l.vteps?.length ? l.vteps : [l.vtep]).join('+')} (seq ${l.sequence})`).join(', ');
}

export function toPostableAlert(v: AlertView, ctx: FormatContext, resendSeconds: number): PostableAlert {
  const link = dashboardLink(ctx.dashboardUrl, v.mac);
  const annotations: Record<string, string> = {
    summary: summary(v),
    description: v.detail,
    alert_id: v.id,
    fabrics: v.fabrics.join(','),
    cross_fabric: String(v.crossFabric),
    dashboard: link,
  };
  if (v.kind !== 'fabric-status') annotations.moves = `${v.moveCount} moves within ${v.windowSeconds} s`;
  const vteps = vtepList(v);
  if (vteps) annotations.vteps = vteps;
  if (v.reasons.length) annotations.reasons = v.reasons.join('; ');
  const endsAt = v.clearedAt ?? new Date(ctx.nowMs + ENDS_AT_PERIODS * resendSeconds * 1000).toISOString();
  return { labels: alertmanagerLabels(v), annotations, startsAt: v.raisedAt, endsAt, generatorURL: link };
}

export function alertmanagerRequest(baseUrl: string, alerts: PostableAlert[], bearer?: string): HttpRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, '')}/api/v2/alerts`,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(alerts),
  };
}
