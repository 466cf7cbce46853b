/**
 * Which TARGET_ERROR_KINDS a failed gRPC call or channel is (schemas/vtep-telemetry.ts), from its status code and
 * details as grpc-js reports them.
 */
import { status } from '@grpc/grpc-js';
import type { TargetErrorKind } from '../../../schemas/vtep-telemetry.js';

const TLS_TEXT = /ssl|tls|certificate|handshake|self[- ]signed|x509|wrong version number|alert|unable to verify|altname|ERR_SSL|CERT_/i;
const KEEPALIVE_TEXT = /too_many_pings|bandwidth exhausted|ENHANCE_YOUR_CALM/i;
const FRAMING_TEXT = /protocol error|parse|frame|compressed|grpc-encoding|malformed|invalid .*message|response is not|Received (?:RST_STREAM|message larger)/i;

export function errorKindOf(err: unknown): TargetErrorKind {
  const e = err as { code?: number; details?: string; message?: string };
  const text = `${e.details ?? ''} ${e.message ?? ''}`;
  // grpc-js ends a call whose response frames it cannot parse with no status code at all.
  if (typeof e.code !== 'number') return 'malformed';
  switch (e.code) {
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return 'auth';
    case status.RESOURCE_EXHAUSTED:
      // grpc-js reports GOAWAY ENHANCE_YOUR_CALM "too_many_pings" as RESOURCE_EXHAUSTED "Bandwidth exhausted ..."
      if (KEEPALIVE_TEXT.test(text)) return 'keepalive';
      return FRAMING_TEXT.test(text) ? 'malformed' : 'rejected';
    case status.INVALID_ARGUMENT:
    case status.UNIMPLEMENTED:
    case status.NOT_FOUND:
    case status.FAILED_PRECONDITION:
    case status.OUT_OF_RANGE:
      return 'rejected';
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      if (TLS_TEXT.test(text)) return 'tls';
      if (FRAMING_TEXT.test(text)) return 'malformed';
      return 'unreachable';
    case status.INTERNAL:
    case status.UNKNOWN:
      if (TLS_TEXT.test(text)) return 'tls';
      return FRAMING_TEXT.test(text) ? 'malformed' : 'ended';
    default:
      if (TLS_TEXT.test(text)) return 'tls';
      return 'ended';
  }
}
