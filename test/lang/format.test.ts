import t from 'tap';
import { format } from '../../lang/format.js';
import { parse } from '../../lang/syntax/parser.js';
import { toOracleShape } from './oracle-shape.js';
import { Gen } from './corpus.js';

const cases: { name: string; src: string; want: string }[] = [
  {
    name: 'equals signs line up across a run of one-line arguments',
    src: 'vm "web" {\nname = "web"\nmemory    = "2GiB"\nvcpus=2\n}\n',
    want: 'vm "web" {\n  name   = "web"\n  memory = "2GiB"\n  vcpus  = 2\n}\n',
  },
  {
    name: 'a blank line, a block or a multi-line value ends the run',
    src: 'a = 1\nbbb = 2\n\ncc = 3\ndddd = [\n1,\n]\ne = 4\n',
    want: 'a   = 1\nbbb = 2\n\ncc = 3\ndddd = [\n  1,\n]\ne = 4\n',
  },
  {
    name: 'binary operators get one space on each side, unary ones none',
    src: 'x = a+b*-c\ny = !d&&e\nz = (f)-1\n',
    want: 'x = a + b * -c\ny = !d && e\nz = (f) - 1\n',
  },
  {
    name: 'brackets, calls, indexes and splats are tight',
    src: 'x = f( a , b ... )\ny = [ 1 , 2 , ]\nz = v [ 0 ] . n [ * ] . id\nw = u . * . id\n',
    want: 'x = f(a, b...)\ny = [1, 2,]\nz = v[0].n[*].id\nw = u.*.id\n',
  },
  {
    name: 'for expressions and conditionals are spaced',
    src: 'x = [for k,v in m:v if k!=""]\ny = {for k,v in m:k=>v...}\nz = c?1:2\n',
    want: 'x = [for k, v in m : v if k != ""]\ny = { for k, v in m : k => v... }\nz = c ? 1 : 2\n',
  },
  {
    name: 'comments are kept, and trailing ones line up with the run',
    src: '# head\nvm "a" { # opens\n  a = 1 # one\n  long_name = 2 # two\n  /* block */\n}\n',
    want: '# head\nvm "a" { # opens\n  a         = 1 # one\n  long_name = 2 # two\n  /* block */\n}\n',
  },
  {
    name: 'strings and heredocs are copied exactly',
    src: 'a   =   "x  ${ y+1 }  z"\nb = <<-EOT\n      keep   this\n    EOT\n',
    want: 'a = "x  ${ y+1 }  z"\nb = <<-EOT\n      keep   this\n    EOT\n',
  },
  {
    name: 'indentation is two spaces per open bracket',
    src: 'vm "a" {\n\t\tboot {\nmode = "pv"\n        }\n  tags = {\nrole = "web"\n    }\n}\n',
    want: 'vm "a" {\n  boot {\n    mode = "pv"\n  }\n  tags = {\n    role = "web"\n  }\n}\n',
  },
  {
    name: 'runs of blank lines shrink to one and the file ends with one newline',
    src: '\n\na = 1\n\n\n\nb = 2\n\n\n',
    want: 'a = 1\n\nb = 2\n',
  },
  {
    name: 'Windows line endings become newlines',
    src: 'a = 1\r\nbb = 2\r\n',
    want: 'a  = 1\nbb = 2\n',
  },
  { name: 'a one-line block stays on its line', src: 'network "eth0" {network="xenbr0"}\n', want: 'network "eth0" { network = "xenbr0" }\n' },
  { name: 'an empty block has no space inside', src: 'a {  }\n', want: 'a {}\n' },
  {
    name: 'for keywords are spaced, but an attribute named like one is a name',
    src: 'x = [for v in -a:-v if -v>0]\ny = a.in -1\nz = a.if [0]\n',
    want: 'x = [for v in -a : -v if -v > 0]\ny = a.in - 1\nz = a.if[0]\n',
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { text, diagnostics } = format(c.src);
    t.same(diagnostics, []);
    t.equal(text, c.want);
    t.equal(format(text).text, text, 'formatting again changes nothing');
  });
}

t.test('a file with a syntax error is returned unchanged with its diagnostics', async (t) => {
  const src = 'a = [1\n';
  const { text, diagnostics } = format(src, 'bad.xf.hcl');
  t.equal(text, src);
  t.ok(diagnostics.some((d) => d.severity === 'error' && d.subject?.filename === 'bad.xf.hcl'));
});

// The syntax tree without positions: what a file means.
function meaning(src: string): unknown {
  return JSON.parse(JSON.stringify(parse(src, 'f.hcl').file.body, (key, value) => (/range$|Range$|Ranges$/.test(key) ? undefined : value)));
}

// hcl2json's shape with the spacing inside "${…}" source text ignored.
function shape(src: string): unknown {
  const squeeze = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\s+/g, '');
    if (Array.isArray(v)) return v.map(squeeze);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [squeeze(k), squeeze(x)]));
    return v;
  };
  return squeeze(toOracleShape(parse(src, 'f.hcl').file));
}

t.test('over a generated corpus, formatting is idempotent and keeps the meaning of every file', async (t) => {
  const g = new Gen(4242);
  const failures: string[] = [];
  let checked = 0;
  for (let k = 0; k < 600 && failures.length < 3; k++) {
    const src = g.file();
    if (parse(src, 'f.hcl').diagnostics.length > 0) continue;
    checked++;
    const once = format(src);
    if (once.diagnostics.length > 0) failures.push(`file ${k}: ${once.diagnostics[0].summary}\n${src}`);
    const twice = format(once.text);
    if (twice.text !== once.text) failures.push(`file ${k} is not idempotent:\n${src}\n---\n${once.text}\n---\n${twice.text}`);
    else if (JSON.stringify(meaning(once.text)) !== JSON.stringify(meaning(src))) failures.push(`file ${k} changed meaning:\n${src}\n---\n${once.text}`);
    else {
      let a: unknown, b: unknown;
      try {
        a = shape(src);
        b = shape(once.text);
      } catch {
        continue; // hcl2json cannot convert this one either way
      }
      if (JSON.stringify(a) !== JSON.stringify(b)) failures.push(`file ${k} changed shape:\n${src}\n---\n${once.text}`);
    }
  }
  t.same(failures, []);
  t.ok(checked > 300, `enough files were checked (${checked})`);
});
