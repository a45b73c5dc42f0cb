import { describe, expect, it } from 'vitest';
import {
  MAX_CHALLENGE_VALUES,
  addChallengeValue,
  challengeRRSet,
  challengeSubject,
  grantsCoverChallenge,
  isChallengeValue,
  removeChallengeValue,
  type ChallengeSet,
} from '../../src/domain/challenges.js';

const HOUR = 3_600_000;
const empty: ChallengeSet = { name: '_acme-challenge.home.dyn.example', values: [] };

describe('challenge names', () => {
  it.each([
    ['_acme-challenge.home.dyn.example', 'home.dyn.example'],
    ['_acme-challenge.dyn.example', 'dyn.example'],
    ['home.dyn.example', undefined],
    ['_acme-challenge', undefined],
    ['_acme-challenge.', undefined],
    ['_acme-challenge._acme-challenge.x.example', undefined],
    ['x._acme-challenge.home.example', undefined],
  ])('%s is for %s', (name, subject) => expect(challengeSubject(name)).toBe(subject));

  it.each([
    [['home.dyn.example'], '_acme-challenge.home.dyn.example', true],
    [['home.dyn.example'], '_acme-challenge.other.dyn.example', false],
    [['home.dyn.example'], '_acme-challenge.x.home.dyn.example', false],
    [['*.alice.dyn.example'], '_acme-challenge.nas.alice.dyn.example', true],
    [['*.alice.dyn.example'], '_acme-challenge.a.b.alice.dyn.example', true],
    [['*.alice.dyn.example'], '_acme-challenge.alice.dyn.example', false],
    [['*.alice.dyn.example'], '_acme-challenge.bob.dyn.example', false],
    [[], '_acme-challenge.home.dyn.example', false],
    [['home.dyn.example'], 'home.dyn.example', false],
  ])('grants %j cover %s: %s', (patterns, name, covered) => expect(grantsCoverChallenge(patterns, name)).toBe(covered));
});

describe('challenge values', () => {
  it.each([
    ['gfj9Xq-Rpa7yC5gY5BnR7wPWgUF3pm0kVVKMkS1HdMM', true],
    ['x'.repeat(255), true],
    ['x'.repeat(256), false],
    ['', false],
    ['with space', true],
    ['tab\there', false],
    ['naïve', false],
    ['new\nline', false],
  ])('%j is a value: %s', (value, ok) => expect(isChallengeValue(value)).toBe(ok));

  it('holds several values at once, each expiring on its own', () => {
    let set = addChallengeValue(empty, 'apex', 0, HOUR);
    set = addChallengeValue(set, 'wildcard', 10 * 60_000, HOUR);
    expect(challengeRRSet(set, 30 * 60_000, 60)?.values).toEqual(['"apex"', '"wildcard"']);
    expect(challengeRRSet(set, HOUR + 1, 60)?.values).toEqual(['"wildcard"']);
    expect(challengeRRSet(set, 2 * HOUR, 60)).toBeUndefined();
  });

  it('refreshes a value written again instead of holding it twice', () => {
    let set = addChallengeValue(empty, 'v', 0, HOUR);
    set = addChallengeValue(set, 'v', 50 * 60_000, HOUR);
    expect(set.values).toHaveLength(1);
    expect(challengeRRSet(set, HOUR + 1, 60)?.values).toEqual(['"v"']);
  });

  it(`keeps the newest ${MAX_CHALLENGE_VALUES} values`, () => {
    let set = empty;
    for (let i = 0; i < MAX_CHALLENGE_VALUES + 3; i++) set = addChallengeValue(set, `v${i}`, i, HOUR);
    const values = challengeRRSet(set, 100, 60)!.values;
    expect(values).toHaveLength(MAX_CHALLENGE_VALUES);
    expect(values).not.toContain('"v0"');
    expect(values).toContain(`"v${MAX_CHALLENGE_VALUES + 2}"`);
  });

  it('removes exactly the value a client cleans up', () => {
    let set = addChallengeValue(empty, 'a', 0, HOUR);
    set = addChallengeValue(set, 'b', 0, HOUR);
    set = removeChallengeValue(set, 'a', 1);
    expect(challengeRRSet(set, 2, 60)).toEqual({ name: empty.name, type: 'TXT', ttl: 60, values: ['"b"'] });
    expect(challengeRRSet(addChallengeValue(empty, 'say "hi" \\o/', 0, HOUR), 1, 60)?.values).toEqual(['"say \\"hi\\" \\\\o/"']);
    expect(removeChallengeValue(set, 'never-there', 3).values.map((v) => v.value)).toEqual(['b']);
  });
});
