// Saved plans, their renderings, and the confirmation rules, through the command line.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

t.test('plan --detailed-exitcode exits 0 with no changes, 2 with changes and 3 with disruptive changes; --max-disruption refuses above its level', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 2, 'creating VMs is a change without disruption');
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'nothing to do');
  edit(dir, 'order = "dc"', 'order = "cd"');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 3, 'a reboot is a disruptive change');
  const refused = xenform(dir, ['plan', '--max-disruption', 'none']);
  t.equal(refused.code, 1, 'a plan above --max-disruption is refused');
  t.match(refused.stderr, /vm\.installer/, 'the refusal names the VM');
});

t.test('a saved plan is shown, graphed and applied as it was planned', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const plan = xenform(dir, ['plan', '--out', 'tonight.xfplan']);
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, /Saved the plan to tonight\.xfplan/);

  const md = xenform(dir, ['show', '--markdown', 'tonight.xfplan']);
  t.equal(md.code, 0);
  t.match(md.stdout, /\| `vm\.web` \|/, 'the Markdown has a summary table row per VM');
  const json = JSON.parse(xenform(dir, ['show', '--json', 'tonight.xfplan']).stdout) as { steps: { op: string }[] };
  t.same(json.steps.map((s) => s.op).sort(), ['create', 'create', 'start', 'start']);
  const dot = xenform(dir, ['graph', 'tonight.xfplan']);
  t.match(dot.stdout, /^digraph/m, 'graph prints DOT');
  t.match(dot.stdout, /->/, 'with the dependency edges between steps');

  const apply = xenform(dir, ['apply', 'tonight.xfplan']);
  t.equal(apply.code, 0, `a saved plan needs no confirmation: ${apply.stderr}`);
  const again = xenform(dir, ['apply', 'tonight.xfplan']);
  t.equal(again.code, 1, 'the same plan cannot be applied twice');
  t.match(again.stderr, /stale|serial|lineage|changed/i, 'and the refusal says the state moved on');
});

t.test('apply refuses to run unattended without --auto-approve, and bad plan files are named', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const r = xenform(dir, ['apply']);
  t.equal(r.code, 1);
  t.match(r.stderr, /--auto-approve/, 'the error says how to run unattended');
  t.notOk(readdirSync(dir).includes('xenform.state.json'), 'nothing was applied');

  writeFileSync(path.join(dir, 'broken.xfplan'), '{"format_version": "99"}');
  const bad = xenform(dir, ['apply', 'broken.xfplan']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /broken\.xfplan is not a usable plan: .*format_version/);
  const missing = xenform(dir, ['show', 'nowhere.xfplan']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /cannot read the plan file nowhere\.xfplan: ENOENT/);
});
