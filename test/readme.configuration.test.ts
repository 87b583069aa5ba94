import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Env } from '../src/config.ts';

/** The README's configuration must name every variable config.ts reads: a setting nobody can find does not exist. */
describe('README configuration', () => {
  it('documents every environment variable config.ts reads', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(Env.shape).filter((name) => !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
