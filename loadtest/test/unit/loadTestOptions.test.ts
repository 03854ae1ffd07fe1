import { describe, expect, it } from '@jest/globals';
import { parseOptions, UsageError } from '../../src/options.js';

describe('load-test options', () => {
  it("takes the seed's three commands", () => {
    expect(parseOptions(['--players', '500', '--servers', '1'])).toMatchObject({
      players: 500,
      servers: 1,
      redis: false,
    });
    expect(parseOptions(['--players', '1000', '--servers', '3', '--assignment', 'hybrid'])).toMatchObject({
      players: 1000,
      servers: 3,
      assignment: 'hybrid',
      workers: 2,
    });
    expect(
      parseOptions(['--players', '5000', '--servers', '3', '--redis', 'true', '--sticky', 'true']),
    ).toMatchObject({ players: 5000, servers: 3, redis: true, sticky: true });
  });

  it('answers --help with null (the CLI prints the usage)', () => {
    expect(parseOptions(['--help'])).toBeNull();
  });

  it('names every bad option in one error', () => {
    let error: unknown;
    try {
      parseOptions(['--players', '0', '--rate', 'fast', '--report', 'out.txt']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toMatch(/--players: must be at least 1/);
    expect(message).toMatch(/--rate: must be a number/);
    expect(message).toMatch(/--report: must end in \.html/);
  });

  it('refuses a sticky spread without Redis or without a second server', () => {
    expect(() => parseOptions(['--sticky', 'true', '--servers', '3'])).toThrow(
      /--sticky: needs --redis true/,
    );
    expect(() => parseOptions(['--sticky', 'true', '--redis', 'true'])).toThrow(
      /--sticky: needs --servers 2/,
    );
    expect(() => parseOptions(['--playerz', '5'])).toThrow(UsageError);
  });

  it('never plans rooms larger than the players there are', () => {
    expect(parseOptions(['--players', '4', '--room-size', '10'])).toMatchObject({ roomSize: 4 });
  });
});
