/**
 * Request framing (https://kafka.apache.org/protocol#protocol_messages), non-flexible versions only:
 *   Request  => Size(INT32) RequestHeader(v1) Body
 *   RequestHeader v1 => api_key INT16 api_version INT16 correlation_id INT32 client_id NULLABLE_STRING
 *   Response => Size(INT32) ResponseHeader(v0) Body
 *   ResponseHeader v0 => correlation_id INT32
 */
import { KafkaWriter } from '../writer.js';

export interface ApiCall<Req, Res> {
  name: string;
  key: number;
  version: number;
  encode(w: KafkaWriter, req: Req): void;
  decode(r: import('../reader.js').KafkaReader): Res;
}

/** The whole request, size prefix included, ready for the socket. */
export function encodeRequest<Req>(api: ApiCall<Req, unknown>, correlationId: number, clientId: string, req: Req, sizeHint = 256): Buffer {
  const w = new KafkaWriter(sizeHint + 64);
  w.int32(0); // size, patched below
  w.int16(api.key).int16(api.version).int32(correlationId).nullableString(clientId);
  api.encode(w, req);
  w.buf.writeInt32BE(w.pos - 4, 0);
  return w.view();
}
