/** SubscribeRequest for a subscription set (spec §3.5.1.2, §3.5.1.3). */
import Long from 'long';
import { Encoding, type ISubscribeRequest, SubscriptionListMode, SubscriptionMode } from '../../../schemas/gnmi.js';
import type { GnmiEncodingName, SubscriptionSet } from '../config.js';
import { parsePath } from '../path.js';

export const ENCODINGS: Record<GnmiEncodingName, Encoding> = { json: Encoding.JSON, json_ietf: Encoding.JSON_IETF, proto: Encoding.PROTO };

const NS_PER_S = 1_000_000_000;

export function listModeOf(set: SubscriptionSet): SubscriptionListMode {
  return set.mode === 'once' ? SubscriptionListMode.ONCE : set.mode === 'poll' ? SubscriptionListMode.POLL : SubscriptionListMode.STREAM;
}

/**
 * One SubscriptionList for the set. The prefix carries the target name (spec §2.2.2.1; the reference cache server
 * refuses a request without one). An `origin:/path` subscription path keeps its origin on the path.
 */
export function subscribeRequest(set: SubscriptionSet, target: string): ISubscribeRequest {
  const mode = set.mode === 'sample' ? SubscriptionMode.SAMPLE : set.mode === 'on-change' ? SubscriptionMode.ON_CHANGE : SubscriptionMode.TARGET_DEFINED;
  const stream = set.mode !== 'once' && set.mode !== 'poll';
  return {
    subscribe: {
      prefix: { target },
      mode: listModeOf(set),
      encoding: ENCODINGS[set.encoding ?? 'json_ietf'],
      updatesOnly: Boolean(set.updatesOnly),
      subscription: set.paths.map((p) => {
        const { origin, elem } = parsePath(p);
        return {
          path: { origin, elem },
          ...(stream
            ? {
                mode,
                sampleInterval: set.mode === 'sample' ? Long.fromNumber(Math.round((set.sampleIntervalSeconds ?? 0) * NS_PER_S), true) : Long.UZERO,
                heartbeatInterval: Long.fromNumber(Math.round((set.heartbeatIntervalSeconds ?? 0) * NS_PER_S), true),
                suppressRedundant: Boolean(set.suppressRedundant),
              }
            : {}),
        };
      }),
    },
  };
}
