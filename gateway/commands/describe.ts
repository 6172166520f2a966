// One line per MQTT message, for people watching a site's traffic.
import { decode, DecodeError } from '../../protocol/codec.js';
import { parseTopic } from '../../protocol/topics.js';

export function describeMessage(topic: string, payload: Uint8Array): string {
  let type;
  try {
    type = parseTopic(topic).messageType;
  } catch (err) {
    return `${topic}  (${payload.length} B) not a pitwall topic: ${(err as Error).message}`;
  }
  if (type === undefined) return `${topic}  (${payload.length} B)`;
  try {
    return `${topic}  (${payload.length} B) ${JSON.stringify(decode(type, payload))}`;
  } catch (err) {
    if (err instanceof DecodeError) return `${topic}  (${payload.length} B) REFUSED ${err.reason} at byte ${err.offset}`;
    throw err;
  }
}
