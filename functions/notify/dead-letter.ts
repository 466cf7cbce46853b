/**
 * The dead-letter topic (evpn.alerts.dlq.v1): an alert record a sink did not take within the retry time is written
 * there unchanged (same key, same Alert bytes), with headers saying which sink, why, and when it was first published,
 * so an operator can read it (`evpn-lens tail evpn.alerts.dlq.v1`) and replay it.
 */
export const DEAD_LETTER_HEADERS = {
  sink: 'evpn-lens-sink',
  reason: 'evpn-lens-reason',
  source: 'evpn-lens-source-record',
  publishedAt: 'evpn-lens-published-at',
  deadLetteredAt: 'evpn-lens-dead-lettered-at',
} as const;

export interface DeadLetter {
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
}

export interface DeadLetterPublisher {
  publish(records: DeadLetter[]): Promise<void>;
}
