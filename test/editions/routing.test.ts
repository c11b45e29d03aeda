import { describe, expect, it } from 'vitest';
import { channelTakes, feedIdOf, routeArticle, UnknownChannelError } from '../../src/editions/routing.js';
import { channelSpec } from '../helpers/channel-spec.js';

const spec = channelSpec;

describe('routing', () => {
  it('reads the feed id only from a whole "feed:<digits>" source', () => {
    expect(feedIdOf('feed:123')).toBe(123);
    expect(feedIdOf('xfeed:12')).toBeNull();
    expect(feedIdOf('feed:12x')).toBeNull();
    expect(feedIdOf('feed:')).toBeNull();
    expect(feedIdOf('cli')).toBeNull();
  });

  it('matches categories whatever their case and surrounding spaces, on either side', () => {
    const sport = spec('sport', { categories: [' Sport '] });
    expect(channelTakes(sport, { category: 'sport', source: 'cli' })).toBe(true);
    expect(channelTakes(sport, { category: '  SPORT', source: 'cli' })).toBe(true);
    expect(channelTakes(sport, { category: 'business', source: 'cli' })).toBe(false);
    expect(channelTakes(sport, { category: null, source: 'cli' })).toBe(false);
  });

  it('an empty list of named channels routes by the filters, as if none were named', () => {
    const channels = [spec('main', { isDefault: true, categories: ['news'] }), spec('sport', { categories: ['sport'] })];
    expect(routeArticle({ category: 'sport', source: 'cli' }, channels, [])).toEqual(['sport']);
  });

  it('routes nowhere only when there is no channel at all', () => {
    expect(routeArticle({ category: null, source: 'cli' }, [])).toEqual([]);
  });

  it('names every unknown channel and the known ones when refusing', () => {
    const channels = [spec('main', { isDefault: true }), spec('sport')];
    let error: unknown;
    try {
      routeArticle({ category: null, source: 'cli' }, channels, ['x', 'y', 'sport']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnknownChannelError);
    expect((error as Error).name).toBe('UnknownChannelError');
    expect((error as Error).message).toBe('no channel named "x", "y": the channels are main, sport (see "channel list"; add one with "channel add")');
    expect((error as UnknownChannelError).unknown).toEqual(['x', 'y']);
  });
});
