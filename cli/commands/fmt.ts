// `xenform fmt [--check] [--diff] [--recursive] [FILES...]`: rewrites configuration files in
// the canonical layout. Exit codes: 0 done (or nothing to change), 3 with --check when a
// file would change, 1 when a file has syntax errors (it is left untouched).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import { format } from '../../lang/format.js';
import type { CliContext } from '../context.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { CONFIG_FILE } from '../workdir.js';

interface FmtOptions {
  check?: boolean;
  diff?: boolean;
  recursive?: boolean;
}

const SKIPPED_DIRS = new Set(['.git', '.xenform', 'node_modules']);

// The configuration files in `dir`, sorted, descending into subdirectories when asked.
function configFiles(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && !SKIPPED_DIRS.has(entry.name)) out.push(...configFiles(full, true));
    } else if (CONFIG_FILE.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('fmt')
    .description('rewrite configuration files (*.xf.hcl, *.xfvars.hcl) in the canonical layout')
    .argument('[files...]', 'files or directories to format (default: the configuration directory)')
    .option('--check', 'change nothing; list the files that would change and exit 3 if any')
    .option('--diff', 'print the changes as a unified diff')
    .option('--recursive', 'also format files in subdirectories')
    .action((args: string[], opts: FmtOptions, cmd: Command) => {
      const base = ctx.dir(cmd);
      const color = ctx.color(cmd);
      const files: string[] = [];
      let failed = false;
      for (const arg of args.length > 0 ? args : [base]) {
        const target = path.resolve(base, arg);
        let stat: fs.Stats;
        try {
          stat = fs.statSync(target);
        } catch {
          ctx.io.stderr(`\nError: No such file or directory\n\n${arg} does not exist. Give a configuration file or a directory holding *.xf.hcl files.\n`);
          failed = true;
          continue;
        }
        files.push(...(stat.isDirectory() ? configFiles(target, opts.recursive === true) : [target]));
      }
      let changed = 0;
      for (const file of files) {
        const shown = path.relative(base, file) || path.basename(file);
        const src = fs.readFileSync(file, 'utf8');
        const { text, diagnostics } = format(src, shown);
        if (diagnostics.some((d) => d.severity === 'error')) {
          ctx.io.stderr(renderDiagnostics(diagnostics, { [shown]: src }, { color }));
          failed = true;
          continue;
        }
        if (text === src) continue;
        changed++;
        ctx.io.stdout(`${shown}\n`);
        if (opts.diff) ctx.io.stdout(createTwoFilesPatch(shown, shown, src, text, 'original', 'formatted'));
        if (!opts.check) fs.writeFileSync(file, text);
      }
      if (failed) ctx.exit(1);
      else if (opts.check && changed > 0) ctx.exit(3);
    });
}
