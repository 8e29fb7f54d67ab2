import {
  InvalidValue,
  parseBoolean,
  parseBrokerFaults,
  parseByteSize,
  parseDuration,
  parseInteger,
  parseList,
  parseNatsServers,
  parsePostgresUrl,
  parseTags,
} from './env-parsers';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['250', 250],
    ['1.5s', 1_500],
  ])('reads %s as %d ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', 'abc', '5 s', '-1s', '0', '0s', '5d', 's', '1e3'])('rejects %j', (raw) => {
    expect(() => parseDuration(raw)).toThrow(InvalidValue);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1mb', 1_048_576],
    ['512kb', 524_288],
    ['1MB', 1_048_576],
    ['100b', 100],
    ['2048', 2048],
    ['1gb', 1_073_741_824],
  ])('reads %s as %d bytes', (raw, bytes) => {
    expect(parseByteSize(raw)).toBe(bytes);
  });

  it.each(['', 'big', '0', '0mb', '-1kb', '1tb'])('rejects %j', (raw) => {
    expect(() => parseByteSize(raw)).toThrow(InvalidValue);
  });
});

describe('parseInteger', () => {
  it('accepts bounds inclusive', () => {
    expect(parseInteger('1', 1, 3, 'x')).toBe(1);
    expect(parseInteger('3', 1, 3, 'x')).toBe(3);
  });

  it.each(['0', '4', '1.5', '-2', 'abc', '99999999999999999999'])('rejects %j with the given expectation', (raw) => {
    expect(() => parseInteger(raw, 1, 3, 'expected 1 to 3')).toThrow('expected 1 to 3');
  });
});

describe('parseBoolean', () => {
  it.each(['true', 'TRUE', '1', 'yes', 'on'])('reads %s as true', (raw) => expect(parseBoolean(raw)).toBe(true));
  it.each(['false', 'False', '0', 'no', 'off'])('reads %s as false', (raw) => expect(parseBoolean(raw)).toBe(false));
  it.each(['maybe', '2', 'y'])('rejects %j', (raw) => expect(() => parseBoolean(raw)).toThrow('expected true or false'));
});

describe('parseTags', () => {
  it('reads key=value pairs, trimming spaces', () => {
    expect(parseTags('gpu=a100, zone = us-east-1a,tier=hot')).toEqual({ gpu: 'a100', zone: 'us-east-1a', tier: 'hot' });
  });

  it('allows keys with dots and slashes', () => {
    expect(parseTags('node.kubernetes.io/arch=amd64')).toEqual({ 'node.kubernetes.io/arch': 'amd64' });
  });

  it.each(['gpu', 'gpu=', '=a100', 'gpu=a=b', 'a=1,,b=2', 'bad key=1', 'a=has space'])('rejects %j', (raw) => {
    expect(() => parseTags(raw)).toThrow(/expected key=value pairs/);
  });

  it('rejects a repeated key, naming it', () => {
    expect(() => parseTags('gpu=a100,gpu=h100')).toThrow('"gpu" is repeated');
  });
});

describe('parseList', () => {
  it('splits and trims', () => {
    expect(parseList('sleep, flaky', /^[a-z]+$/, 'names')).toEqual(['sleep', 'flaky']);
  });

  it('names the bad item', () => {
    expect(() => parseList('sleep,Bad!', /^[a-z]+$/, 'names')).toThrow('expected a comma-separated list of names ("Bad!" is not one)');
  });

  it('rejects an empty item', () => {
    expect(() => parseList('a,,b', /^[a-z]+$/, 'names')).toThrow('(empty item)');
  });
});

describe('parsePostgresUrl', () => {
  it.each(['postgres://postgres@127.0.0.1:5432/test', 'postgresql://u:p@db/niyanta?sslmode=require'])('accepts %s', (raw) => {
    expect(parsePostgresUrl(raw)).toBe(raw);
  });

  it.each(['mysql://db/x', 'not a url', '127.0.0.1:5432'])('rejects %j', (raw) => {
    expect(() => parsePostgresUrl(raw)).toThrow('expected a postgres:// connection URL');
  });
});

describe('parseNatsServers', () => {
  it('accepts one URL, several, and bare host:port', () => {
    expect(parseNatsServers('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
    expect(parseNatsServers('nats://a:4222, nats://b:4222')).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(parseNatsServers('localhost:4222')).toEqual(['localhost:4222']);
  });

  it.each(['http://x:4222', 'nats://', 'a b'])('rejects %j', (raw) => {
    expect(() => parseNatsServers(raw)).toThrow(/expected one or more nats:\/\/host:port URLs/);
  });
});

describe('parseBrokerFaults', () => {
  it.each([
    ['drop:0.05,dup:0.05', { drop: 0.05, duplicate: 0.05 }],
    ['dup:0.1', { drop: 0, duplicate: 0.1 }],
    ['drop:1', { drop: 1, duplicate: 0 }],
    [' DROP:0.2 , duplicate:0.3 ', { drop: 0.2, duplicate: 0.3 }],
  ])('reads %j', (raw, rates) => {
    expect(parseBrokerFaults(raw)).toEqual(rates);
  });

  it.each(['drop', 'drop:', 'drop:2', 'drop:-0.1', 'lose:0.1', 'drop:0.1:3', 'drop:abc', 'drop:0.6,dup:0.6'])(
    'rejects %j',
    (raw) => {
      expect(() => parseBrokerFaults(raw)).toThrow(InvalidValue);
    },
  );
});
