// The promise: README's attribute reference for `host` and `vm` is generated from the schema, so
// it cannot drift. `npm run docs` (UPDATE_GOLDEN=1) rewrites README's section from the schema.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { attributeReference, referenceGaps } from '../planner/config/reference.js';
import { repoRoot } from './e2e/cli.js';

const README = path.join(repoRoot, 'README.md');
const START = '<!-- reference:start (generated from planner/config/schema.ts by `npm run docs`) -->';
const END = '<!-- reference:end -->';

t.test('every attribute the host and vm schemas accept is described, and nothing else', async (t) => {
  t.same(referenceGaps(), []);
});

t.test("README's attribute reference is the one the schema generates", async (t) => {
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  t.ok(from >= 0 && to > from, 'README has the reference markers');
  const generated = `${START}\n\n${attributeReference()}\n${END}`;
  const current = text.slice(from, to + END.length);
  if (process.env.UPDATE_GOLDEN === '1' && current !== generated) writeFileSync(README, text.slice(0, from) + generated + text.slice(to + END.length));
  t.equal(current, generated, 'README matches the schema (npm run docs rewrites it)');
});
