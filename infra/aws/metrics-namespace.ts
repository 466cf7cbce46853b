/** The CloudWatch namespace of every evpn-lens metric (functions through Powertools, the collector through its agent). */
export const METRICS_NAMESPACE = 'EvpnLens';
