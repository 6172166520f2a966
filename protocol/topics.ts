// MQTT topic layout:
//
//   pitwall/v1/{site}/{board}/{birth|death|evt|cmd}   board traffic
//   pitwall/v1/{site}/control/{name}                  race control (state: control-state)
//   pitwall/v1/{site}/live/{name...}                  derived live feed
//
// Site and board ids follow BOARD_ID_PATTERN (they are topic levels); a board may not
// be called `control` or `live`. Control names and one-level live names may not be a
// board channel (`birth`, `death`, `evt`, `cmd`), so a filter such as
// `pitwall/v1/{site}/+/evt` only ever matches board traffic.

import { BOARD_ID_PATTERN, type MessageType } from './schema.js';

export const TOPIC_ROOT = 'pitwall/v1';
export const BOARD_CHANNELS = ['birth', 'death', 'evt', 'cmd'] as const;
export type BoardChannel = (typeof BOARD_CHANNELS)[number];
/** Topic levels after the site that are not boards. */
export const RESERVED_LEVELS = ['control', 'live'] as const;
/** One level of a control or live name. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The message each board channel carries. */
export const CHANNEL_MESSAGE: Readonly<Record<BoardChannel, MessageType>> = {
  birth: 'birth',
  death: 'death',
  evt: 'envelope',
  cmd: 'command',
};
/** The message each control name carries (names not listed carry none of ours). */
export const CONTROL_MESSAGE: Readonly<Record<string, MessageType>> = { state: 'control-state' };

export type TopicErrorReason =
  | 'not-pitwall' // does not start with pitwall/
  | 'unsupported-version' // pitwall/{other than v1}/...
  | 'wildcard' // + or # in a topic name
  | 'bad-site'
  | 'bad-board'
  | 'bad-channel'
  | 'bad-name';

export class TopicError extends Error {
  readonly reason: TopicErrorReason;
  readonly topic: string;
  constructor(reason: TopicErrorReason, topic: string, detail: string) {
    super(`${detail} (topic ${JSON.stringify(topic)})`);
    this.name = 'TopicError';
    this.reason = reason;
    this.topic = topic;
  }
}

export interface ParsedTopic {
  site: string;
  /** The board, for board topics. */
  board?: string;
  /** A board channel, or `control` / `live`. */
  channel: BoardChannel | 'control' | 'live';
  /** For control and live topics: the levels after `control/` or `live/`, joined by '/'. */
  name?: string;
  /** The message type of the payload; undefined when the topic carries none of ours. */
  messageType: MessageType | undefined;
}

const isBoardChannel = (s: string): s is BoardChannel => (BOARD_CHANNELS as readonly string[]).includes(s);
const isReserved = (s: string): boolean => (RESERVED_LEVELS as readonly string[]).includes(s);

export function isValidSiteId(site: string): boolean {
  return BOARD_ID_PATTERN.test(site);
}
export function isValidBoardId(board: string): boolean {
  return BOARD_ID_PATTERN.test(board) && !isReserved(board);
}

function checkSite(site: string, topic: string): void {
  if (!isValidSiteId(site)) throw new TopicError('bad-site', topic, `bad site id ${JSON.stringify(site)}`);
}
function checkBoard(board: string, topic: string): void {
  if (!BOARD_ID_PATTERN.test(board)) throw new TopicError('bad-board', topic, `bad board id ${JSON.stringify(board)}`);
  if (isReserved(board)) throw new TopicError('bad-board', topic, `a board may not be called ${JSON.stringify(board)}`);
}
function checkName(levels: readonly string[], topic: string, what: string): void {
  if (levels.length === 0) throw new TopicError('bad-name', topic, `${what} name missing`);
  for (const l of levels)
    if (!NAME_PATTERN.test(l)) throw new TopicError('bad-name', topic, `bad ${what} name level ${JSON.stringify(l)}`);
  if (levels.length === 1 && isBoardChannel(levels[0]))
    throw new TopicError('bad-name', topic, `${what} name ${JSON.stringify(levels[0])} is a board channel`);
}

// ------------------------------------------------------------------ topic names

export function boardTopic(site: string, board: string, channel: BoardChannel): string {
  const topic = `${TOPIC_ROOT}/${site}/${board}/${channel}`;
  checkSite(site, topic);
  checkBoard(board, topic);
  if (!isBoardChannel(channel)) throw new TopicError('bad-channel', topic, `no board channel ${JSON.stringify(channel)}`);
  return topic;
}

/** `pitwall/v1/{site}/control/{name}`; race control state is `controlTopic(site, 'state')`. */
export function controlTopic(site: string, name: string): string {
  const topic = `${TOPIC_ROOT}/${site}/control/${name}`;
  checkSite(site, topic);
  checkName([name], topic, 'control');
  return topic;
}

export function controlStateTopic(site: string): string {
  return controlTopic(site, 'state');
}

/** `pitwall/v1/{site}/live/{name...}`: one or more levels. */
export function liveTopic(site: string, ...name: string[]): string {
  const levels = name.flatMap((n) => n.split('/'));
  const topic = `${TOPIC_ROOT}/${site}/live/${levels.join('/')}`;
  checkSite(site, topic);
  checkName(levels, topic, 'live');
  return topic;
}

/** Splits a topic name into its parts; throws TopicError when it is not a pitwall topic. */
export function parseTopic(topic: string): ParsedTopic {
  if (typeof topic !== 'string') throw new TopicError('not-pitwall', String(topic), 'a topic is a string');
  if (topic.includes('+') || topic.includes('#'))
    throw new TopicError('wildcard', topic, 'wildcards belong in filters, not topic names');
  const levels = topic.split('/');
  if (levels[0] !== 'pitwall') throw new TopicError('not-pitwall', topic, 'not a pitwall topic');
  if (levels[1] !== 'v1') throw new TopicError('unsupported-version', topic, `unsupported topic version ${JSON.stringify(levels[1] ?? '')}`);
  if (levels.length < 4) throw new TopicError('bad-channel', topic, 'too few topic levels');
  const site = levels[2];
  checkSite(site, topic);
  const third = levels[3];
  const rest = levels.slice(4);
  if (third === 'control') {
    if (rest.length !== 1) throw new TopicError('bad-name', topic, 'a control topic has exactly one name level');
    checkName(rest, topic, 'control');
    return { site, channel: 'control', name: rest[0], messageType: CONTROL_MESSAGE[rest[0]] };
  }
  if (third === 'live') {
    checkName(rest, topic, 'live');
    return { site, channel: 'live', name: rest.join('/'), messageType: undefined };
  }
  checkBoard(third, topic);
  if (rest.length !== 1 || !isBoardChannel(rest[0]))
    throw new TopicError('bad-channel', topic, `expected ${BOARD_CHANNELS.join('|')} after the board id`);
  return { site, board: third, channel: rest[0], messageType: CHANNEL_MESSAGE[rest[0]] };
}

/** The message type a topic carries, or undefined (also for topics that are not ours). */
export function messageTypeOfTopic(topic: string): MessageType | undefined {
  try {
    return parseTopic(topic).messageType;
  } catch (e) {
    if (e instanceof TopicError) return undefined;
    throw e;
  }
}

// ------------------------------------------------------------------ subscription filters

/** `+` in place of a site or board id matches every one. */
export const ANY = '+';

function filterSite(site: string): string {
  if (site !== ANY) checkSite(site, `${TOPIC_ROOT}/${site}`);
  return `${TOPIC_ROOT}/${site}`;
}

/** Everything under a site: `pitwall/v1/{site}/#`. */
export function siteFilter(site: string): string {
  return `${filterSite(site)}/#`;
}

/** One channel of every board of a site, e.g. `pitwall/v1/{site}/+/evt`. */
export function boardsFilter(site: string, channel: BoardChannel): string {
  if (!isBoardChannel(channel)) throw new TopicError('bad-channel', channel, `no board channel ${JSON.stringify(channel)}`);
  return `${filterSite(site)}/+/${channel}`;
}

/** Every channel of one board: `pitwall/v1/{site}/{board}/+`. */
export function boardFilter(site: string, board: string): string {
  const base = filterSite(site);
  if (board !== ANY) checkBoard(board, `${base}/${board}`);
  return `${base}/${board}/+`;
}

/** Every control topic of a site: `pitwall/v1/{site}/control/+`. */
export function controlFilter(site: string): string {
  return `${filterSite(site)}/control/+`;
}

/** The whole live feed of a site: `pitwall/v1/{site}/live/#`. */
export function liveFilter(site: string): string {
  return `${filterSite(site)}/live/#`;
}

/** An MQTT 5 shared subscription: `$share/{group}/{filter}`. */
export function sharedFilter(group: string, filter: string): string {
  if (!NAME_PATTERN.test(group)) throw new TopicError('bad-name', group, `bad share group ${JSON.stringify(group)}`);
  return `$share/${group}/${filter}`;
}

/** Whether an MQTT topic filter matches a topic name (MQTT 3.1.1 §4.7). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Wildcards at the first level do not match topics starting with '$'.
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
