/** An HTTP POST a sink format produces: built afresh for each attempt (a signature carries the attempt's time). */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What every format is given besides the alert. */
export interface FormatContext {
  /** Base URL of the dashboard (links to a host's page). */
  dashboardUrl: string;
  /** Milliseconds since the epoch, at this attempt. */
  nowMs: number;
}

/** The dashboard page of the alert's subject: the host page of a MAC, else the dashboard's front page. */
export function dashboardLink(base: string, mac: string | undefined): string {
  const root = base.replace(/\/+$/, '');
  return mac ? `${root}/#/host/${encodeURIComponent(mac)}` : `${root}/`;
}
