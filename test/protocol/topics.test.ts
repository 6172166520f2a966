import { describe, expect, it } from 'vitest';
import {
  ANY,
  TopicError,
  boardFilter,
  boardTopic,
  boardsFilter,
  controlFilter,
  controlStateTopic,
  controlTopic,
  liveFilter,
  liveTopic,
  messageTypeOfTopic,
  parseTopic,
  sharedFilter,
  siteFilter,
  topicMatches,
} from '../../protocol/topics.js';

function topicError(f: () => unknown): TopicError {
  try {
    f();
  } catch (e) {
    if (e instanceof TopicError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('topic names', () => {
  it('builds board, control and live topics', () => {
    expect(boardTopic('rockingham', 'loop-sf', 'evt')).toBe('pitwall/v1/rockingham/loop-sf/evt');
    expect(boardTopic('lvms', 'box-17', 'birth')).toBe('pitwall/v1/lvms/box-17/birth');
    expect(controlTopic('lvms', 'state')).toBe('pitwall/v1/lvms/control/state');
    expect(controlStateTopic('lvms')).toBe('pitwall/v1/lvms/control/state');
    expect(liveTopic('lvms', 'order')).toBe('pitwall/v1/lvms/live/order');
    expect(liveTopic('lvms', 'vehicle', '12')).toBe('pitwall/v1/lvms/live/vehicle/12');
    expect(liveTopic('lvms', 'vehicle/12')).toBe('pitwall/v1/lvms/live/vehicle/12');
  });

  it.each<[string, () => unknown, TopicError['reason']]>([
    ['a site with a capital', () => boardTopic('LVMS', 'a', 'evt'), 'bad-site'],
    ['an empty site', () => boardTopic('', 'a', 'evt'), 'bad-site'],
    ['a site with a wildcard', () => boardTopic('+', 'a', 'evt'), 'bad-site'],
    ['a board called control', () => boardTopic('s', 'control', 'evt'), 'bad-board'],
    ['a board called live', () => boardTopic('s', 'live', 'cmd'), 'bad-board'],
    ['a board with a slash', () => boardTopic('s', 'a/b', 'evt'), 'bad-board'],
    ['a board id of 33 characters', () => boardTopic('s', 'a'.repeat(33), 'evt'), 'bad-board'],
    ['an unknown channel', () => boardTopic('s', 'a', 'log' as never), 'bad-channel'],
    ['a control name that is a channel', () => controlTopic('s', 'evt'), 'bad-name'],
    ['an empty control name', () => controlTopic('s', ''), 'bad-name'],
    ['a control name with a wildcard', () => controlTopic('s', '#'), 'bad-name'],
    ['a live topic without a name', () => liveTopic('s'), 'bad-name'],
    ['a one-level live name that is a channel', () => liveTopic('s', 'cmd'), 'bad-name'],
    ['an empty live level', () => liveTopic('s', 'a//b'), 'bad-name'],
  ])('refuses %s', (_, f, reason) => {
    expect(topicError(f).reason).toBe(reason);
  });
});

describe('parseTopic', () => {
  it('maps each channel to its message type', () => {
    expect(parseTopic('pitwall/v1/s/loop-sf/birth')).toEqual({ site: 's', board: 'loop-sf', channel: 'birth', messageType: 'birth' });
    expect(parseTopic('pitwall/v1/s/loop-sf/death').messageType).toBe('death');
    expect(parseTopic('pitwall/v1/s/loop-sf/evt').messageType).toBe('envelope');
    expect(parseTopic('pitwall/v1/s/loop-sf/cmd').messageType).toBe('command');
    expect(parseTopic('pitwall/v1/s/control/state')).toEqual({ site: 's', channel: 'control', name: 'state', messageType: 'control-state' });
  });

  it('knows topics that carry none of our messages', () => {
    expect(parseTopic('pitwall/v1/s/control/lights')).toEqual({ site: 's', channel: 'control', name: 'lights', messageType: undefined });
    expect(parseTopic('pitwall/v1/s/live/vehicle/12')).toEqual({ site: 's', channel: 'live', name: 'vehicle/12', messageType: undefined });
  });

  it('round-trips what the builders make', () => {
    const b = parseTopic(boardTopic('s-1', 'b-2', 'cmd'));
    expect(boardTopic(b.site, b.board!, b.channel as 'cmd')).toBe('pitwall/v1/s-1/b-2/cmd');
  });

  it.each<[string, TopicError['reason']]>([
    ['other/v1/s/b/evt', 'not-pitwall'],
    ['', 'not-pitwall'],
    ['/pitwall/v1/s/b/evt', 'not-pitwall'],
    ['pitwall/v2/s/b/evt', 'unsupported-version'],
    ['pitwall/v1/s/b', 'bad-channel'],
    ['pitwall/v1/s', 'bad-channel'],
    ['pitwall/v1/s/b/evt/more', 'bad-channel'],
    ['pitwall/v1/s/b/log', 'bad-channel'],
    ['pitwall/v1/s/b/', 'bad-channel'],
    ['pitwall/v1/S/b/evt', 'bad-site'],
    ['pitwall/v1//b/evt', 'bad-site'],
    ['pitwall/v1/s/B/evt', 'bad-board'],
    ['pitwall/v1/s/-b/evt', 'bad-board'],
    ['pitwall/v1/s/+/evt', 'wildcard'],
    ['pitwall/v1/s/#', 'wildcard'],
    ['pitwall/v1/s/control', 'bad-name'],
    ['pitwall/v1/s/control/state/x', 'bad-name'],
    ['pitwall/v1/s/control/evt', 'bad-name'],
    ['pitwall/v1/s/live', 'bad-name'],
    ['pitwall/v1/s/live/', 'bad-name'],
    ['pitwall/v1/s/live/Order', 'bad-name'],
  ])('refuses %j: %s', (topic, reason) => {
    expect(topicError(() => parseTopic(topic)).reason).toBe(reason);
    expect(messageTypeOfTopic(topic)).toBeUndefined();
  });
});

describe('subscription filters', () => {
  it('builds filters', () => {
    expect(siteFilter('s')).toBe('pitwall/v1/s/#');
    expect(siteFilter(ANY)).toBe('pitwall/v1/+/#');
    expect(boardsFilter('s', 'evt')).toBe('pitwall/v1/s/+/evt');
    expect(boardFilter('s', 'loop-sf')).toBe('pitwall/v1/s/loop-sf/+');
    expect(controlFilter('s')).toBe('pitwall/v1/s/control/+');
    expect(liveFilter('s')).toBe('pitwall/v1/s/live/#');
    expect(sharedFilter('gateways', boardsFilter('s', 'evt'))).toBe('$share/gateways/pitwall/v1/s/+/evt');
    expect(topicError(() => siteFilter('S')).reason).toBe('bad-site');
    expect(topicError(() => boardFilter('s', 'control')).reason).toBe('bad-board');
  });

  it('all boards\' evt matches board events and nothing else', () => {
    const f = boardsFilter('s', 'evt');
    expect(topicMatches(f, boardTopic('s', 'a', 'evt'))).toBe(true);
    expect(topicMatches(f, boardTopic('s', 'a', 'cmd'))).toBe(false);
    expect(topicMatches(f, boardTopic('t', 'a', 'evt'))).toBe(false);
    expect(topicMatches(f, controlStateTopic('s'))).toBe(false);
    expect(topicMatches(f, liveTopic('s', 'order'))).toBe(false);
  });

  it('matches MQTT wildcards as MQTT does', () => {
    expect(topicMatches('pitwall/v1/s/#', 'pitwall/v1/s')).toBe(true);
    expect(topicMatches('pitwall/v1/s/#', 'pitwall/v1/s/a/b/c')).toBe(true);
    expect(topicMatches('pitwall/v1/+/+/evt', 'pitwall/v1/s/a/evt')).toBe(true);
    expect(topicMatches('pitwall/v1/+', 'pitwall/v1/s/a')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
    expect(topicMatches('a/b', 'a/b')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
  });
});
