// `pitwall decode`: what a payload captured off the wire says, for the hardware crew.
import { readFileSync } from 'node:fs';
import { decode, DecodeError } from '../../protocol/codec.js';
import { MESSAGE_TYPES, type MessageType } from '../../protocol/schema.js';
import { parseTopic } from '../../protocol/topics.js';
import { CliError, parseOptions, type Subcommand } from './cli-support.js';

export const decodeCommand: Subcommand = {
  name: 'decode',
  summary: 'decode a CBOR payload (hex) into JSON',
  help: `Usage: pitwall decode (--type TYPE | --topic TOPIC) HEX|-

Decodes one message given as hex (or '-' to read hex from standard input) and
prints it as JSON, or says why it is refused (reason and byte offset).

Options:
  --type TYPE     ${MESSAGE_TYPES.join(', ')}
  --topic TOPIC   the MQTT topic the payload came on (gives the type)`,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, { type: { type: 'string' }, topic: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new CliError('give exactly one payload (hex, or - for standard input)');
    let type: MessageType | undefined;
    if (values.type !== undefined) {
      if (!(MESSAGE_TYPES as readonly string[]).includes(values.type)) throw new CliError(`--type must be one of ${MESSAGE_TYPES.join(', ')}`);
      type = values.type as MessageType;
    } else if (values.topic !== undefined) {
      try {
        type = parseTopic(values.topic).messageType;
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (type === undefined) throw new CliError(`topic ${values.topic} carries no pitwall message`);
    } else throw new CliError('say what the payload is: --type TYPE or --topic TOPIC');
    const text = positionals[0] === '-' ? readFileSync(0, 'utf8') : positionals[0]!;
    const hex = text.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new CliError('the payload is not hex');
    try {
      console.log(JSON.stringify(decode(type, Buffer.from(hex, 'hex')), null, 2));
      return 0;
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      console.error(`refused: ${err.reason} at byte ${err.offset}${err.path ? ` (${err.path})` : ''}`);
      return 1;
    }
  },
};
