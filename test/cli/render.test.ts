import t, { type Test } from 'tap';
import path from 'node:path';
import { golden as goldenFile } from '../support/golden.js';
import { REPO_ROOT } from '../support/paths.js';
import { renderPlanText } from '../../cli/views/text.js';
import { renderPlanMarkdown, MARKDOWN_LIMIT } from '../../cli/views/markdown.js';
import { renderPlanDot } from '../../cli/views/dot.js';
import { cmdlineDiff, summaryLine } from '../../cli/views/describe.js';
import { serializePlan } from '../../planner/plan/plan-file.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { scenarioPlan } from '../planner/scenario.js';
import { attributes, config, inventory, observed, OPTIONS, planOne, resource, state, vmConfig } from '../planner/builders.js';

const golden = (t: Test, name: string, actual: string): void => goldenFile(t, path.join(REPO_ROOT, 'test', 'cli', 'golden', name), actual);

const plan = scenarioPlan();

t.test('the text rendering shows drift first, each VM with its badge and steps, and the summary', async (t) => {
  const text = renderPlanText(plan, { color: false });
  golden(t, 'scenario.txt', text);
  t.ok(text.indexOf('Objects have changed outside of xenform') < text.indexOf('will perform the following actions'));
  t.match(text, /# vm\.web\[0\] will be updated in place \[reboot\]/);
  t.match(text, /1\. set tags, boot\.args \(running\)\n\s+2\. clean_reboot \(running; clean for up to 120s, then hard\)/);
  t.match(text, /\+root=\/dev\/xvda1 -quiet/);
  t.match(text, /1\. clean_shutdown \(running -> halted; clean for up to 120s, then hard\)/);
  t.match(text, /-\/\+ vm\.cache/);
  t.match(text, /Plan: 2 to add, 3 to change, 2 to destroy; 1 reboot, 1 halt\./);
});

t.test('colour is added only when asked for', async (t) => {
  const colored = renderPlanText(plan, { color: true });
  golden(t, 'scenario.color.txt', colored);
  t.match(colored, /\u001b\[/);
  t.notMatch(renderPlanText(plan, { color: false }), /\u001b\[/);
});

t.test('the Markdown rendering has a warning banner, a summary table and folded details', async (t) => {
  const md = renderPlanMarkdown(plan);
  golden(t, 'scenario.md', md);
  t.match(md, /> \[!WARNING\]\n> \*\*1 VM will reboot, 1 VM will halt, 1 VM will be replaced, 1 VM will be destroyed\.\*\*/);
  t.match(md, /\| VM \| Host \| Action \| Disruption \| Steps \|/);
  t.match(md, /<details><summary><code>vm\.web\[0\]<\/code>: update, reboot<\/summary>/);
});

t.test('the DOT rendering is the step graph', async (t) => {
  const dot = renderPlanDot(plan);
  golden(t, 'scenario.dot', dot);
  for (const s of plan.steps) for (const d of s.depends_on) t.match(dot, `  ${d} -> ${s.id};`);
});

t.test('the JSON plan is stable', async (t) => {
  golden(t, 'scenario.json', serializePlan(plan));
});

t.test('a plan without changes says so', async (t) => {
  const p = planOne('running', {}).plan!;
  t.equal(summaryLine(p), 'No changes. Your VMs match the configuration.');
  t.match(renderPlanText(p, { color: false }), /^No changes\. Your VMs match the configuration\.\n$/);
  t.notMatch(renderPlanMarkdown(p), /WARNING/);
});

t.test('kernel command lines are diffed word by word', async (t) => {
  t.equal(cmdlineDiff('quiet root=/dev/xvda1', 'console=hvc0 root=/dev/xvda1'), '+console=hvc0 -quiet');
  t.equal(cmdlineDiff('a b c', 'a b c'), '');
});

t.test('a huge plan stays under the comment limit by folding details first', async (t) => {
  const n = 3000;
  const vms = Array.from({ length: n }, (_, i) => vmConfig(`vm.web[${i}]`, {}, { name: `web-${i}`, boot: { ...attributes().boot, args: `console=hvc0 id=${i}` } }));
  const res = vms.map((v, i) => resource(v.address, `u-${i}`, { name: `web-${i}` }));
  const obs = vms.map((v, i) => observed(`u-${i}`, v.address, { name: `web-${i}` }));
  const big = makePlan({ config: config(vms), state: state(res), inventories: inventory(obs), options: OPTIONS }).plan!;
  const md = renderPlanMarkdown(big);
  t.ok(md.length < MARKDOWN_LIMIT, `${md.length} characters`);
  t.match(md, /3000 VMs will reboot/, 'the banner survives');
  t.match(md, /Plan: 0 to add, 3000 to change, 0 to destroy; 3000 reboots, 0 halts\./, 'the summary survives');
  t.match(md, /more VMs/, 'the table says how many rows it left out');
});
