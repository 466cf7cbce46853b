/** Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat): `{ "text": … }` in Slack's mrkdwn. */
import type { AlertView } from '../alert-view.js';
import { vtepList } from './alertmanager.js';
import { dashboardLink, type FormatContext, type HttpRequest } from './http-request.js';

/** Slack's three control characters in text (https://api.slack.com/reference/surfaces/formatting#escaping). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackText(v: AlertView, ctx: FormatContext): string {
  const head = v.state === 'raised' ? `:rotating_light: *${v.severity.toUpperCase()}* ${v.kind}` : `:white_check_mark: *RESOLVED* ${v.kind}`;
  const subject = v.kind === 'fabric-status' ? `fabric ${v.fabric}${v.status ? ` is ${v.status}` : ''}` : `MAC \`${v.mac}\` VNI ${v.vni} in ${v.fabric}`;
  const lines = [`${head}: ${esc(subject)}`];
  if (v.crossFabric) lines.push(`across fabrics ${esc(v.fabrics.join(', '))}`);
  if (v.detail) lines.push(esc(v.detail));
  const vteps = vtepList(v);
  if (vteps) lines.push(`VTEPs: ${esc(vteps)}`);
  if (v.reasons.length) lines.push(`Reasons: ${esc(v.reasons.join('; '))}`);
  lines.push(`<${dashboardLink(ctx.dashboardUrl, v.mac)}|dashboard> · raised ${v.raisedAt}${v.clearedAt ? ` · cleared ${v.clearedAt}` : ''}`);
  return lines.join('\n');
}

export function slackRequest(url: string, v: AlertView, ctx: FormatContext): HttpRequest {
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: slackText(v, ctx) }) };
}
