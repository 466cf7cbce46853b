/**
 * The gRPC channel to one target: TLS on unless the configuration turns it off (CA, mutual TLS, server name, or
 * skipVerify), keepalive, and a subchannel pool of its own, so that a GOAWAY or a raised keepalive interval on one
 * target never touches another that shares its address.
 */
import { readFileSync } from 'node:fs';
import { type ChannelOptions, Client, credentials } from '@grpc/grpc-js';
import type { TargetTls } from '../config.js';
import { TargetStreamError } from '../errors.js';

export interface ChannelSettings {
  address: string;
  tls: TargetTls;
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
  maxMessageBytes: number;
}

function readPem(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TargetStreamError(`cannot read the TLS ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'tls', { cause: err });
  }
}

export function channelCredentials(tls: TargetTls) {
  if (!tls.enabled) return credentials.createInsecure();
  const ca = tls.ca ? readPem('CA', tls.ca) : null;
  const key = tls.key ? readPem('key', tls.key) : null;
  const cert = tls.cert ? readPem('certificate', tls.cert) : null;
  if (Boolean(key) !== Boolean(cert)) throw new TargetStreamError('mutual TLS needs both cert and key', 'tls');
  return credentials.createSsl(ca, key, cert, tls.skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {});
}

export function openChannel(s: ChannelSettings): Client {
  const options: ChannelOptions = {
    'grpc.keepalive_time_ms': s.keepaliveMs,
    'grpc.keepalive_timeout_ms': s.keepaliveTimeoutMs,
    // grpc-go's default enforcement also refuses pings while no call is open.
    'grpc.keepalive_permit_without_calls': 0,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.max_receive_message_length': s.maxMessageBytes,
    // The collector reconnects with its own backoff; a channel lives for one connection attempt.
    'grpc.initial_reconnect_backoff_ms': 1_000,
    'grpc.max_reconnect_backoff_ms': 5_000,
  };
  if (s.tls.enabled && s.tls.serverName) {
    options['grpc.ssl_target_name_override'] = s.tls.serverName;
    options['grpc.default_authority'] = s.tls.serverName;
  }
  return new Client(s.address, channelCredentials(s.tls), options);
}
