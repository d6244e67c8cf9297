// The few file operations providers need besides writeFile/readFile, as commands
// that run on any POSIX host through a transport (and so can share a batch round
// trip), each with a native twin for transports without a remote shell (the
// in-process simulator). One definition, two implementations, tested together.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ExecResult } from '../provider.js';

export interface FileOp {
  script: string; // sh -c script; "$1".. are the arguments
  native(args: string[], resolvePath: (p: string) => string): Promise<ExecResult>;
}

const ok = (stdout = ''): ExecResult => ({ stdout, stderr: '', code: 0 });

export const FILE_OPS = {
  // Every regular file of a directory whose name ends with a suffix, as
  // "name\0content\0" records; nothing when the directory does not exist.
  'read-dir': {
    script: 'cd -- "$1" 2>/dev/null || exit 0; for f in *"$2"; do [ -f "$f" ] || continue; printf "%s\\0" "$f"; cat -- "$f"; printf "\\0"; done',
    async native([dir, suffix], resolvePath) {
      const root = resolvePath(dir);
      const names = await fs.readdir(root).catch(() => [] as string[]);
      let out = '';
      for (const name of names.filter((n) => n.endsWith(suffix)).sort()) {
        const stat = await fs.stat(join(root, name)).catch(() => null);
        if (!stat?.isFile()) continue;
        out += `${name}\0${await fs.readFile(join(root, name), 'utf8')}\0`;
      }
      return ok(out);
    },
  },
  // The names in a directory, one per line; nothing when it does not exist.
  'list-dir': {
    script: 'cd -- "$1" 2>/dev/null || exit 0; for f in *; do [ -e "$f" ] && printf "%s\\n" "$f"; done; exit 0',
    async native([dir], resolvePath) {
      const names = await fs.readdir(resolvePath(dir)).catch(() => [] as string[]);
      return ok(names.sort().map((n) => `${n}\n`).join(''));
    },
  },
  'remove': {
    script: 'rm -f -- "$1"',
    async native([path], resolvePath) {
      await fs.rm(resolvePath(path), { force: true });
      return ok();
    },
  },
  'mkdir': {
    script: 'mkdir -p -- "$1"',
    async native([path], resolvePath) {
      await fs.mkdir(resolvePath(path), { recursive: true });
      return ok();
    },
  },
  // A sparse disk image of the given size in bytes, kept when it exists.
  'create-image': {
    script: 'test -e "$1" || truncate -s "$2" -- "$1"',
    async native([path, size], resolvePath) {
      const p = resolvePath(path);
      const exists = await fs.stat(p).then(() => true, () => false);
      if (!exists) await fs.writeFile(p, '').then(() => fs.truncate(p, Number(size)));
      return ok();
    },
  },
} satisfies Record<string, FileOp>;

export type FileOpName = keyof typeof FILE_OPS;

const NAME_ARG = 'xenform-file-op';

export function fileOp(name: FileOpName, ...args: string[]): string[] {
  return ['sh', '-c', FILE_OPS[name].script, `${NAME_ARG}:${name}`, ...args];
}

// The file operation an argv stands for, when it is one built by fileOp.
export function asFileOp(argv: string[]): { op: FileOp; args: string[] } | null {
  if (argv[0] !== 'sh' || argv[1] !== '-c' || !argv[3]?.startsWith(`${NAME_ARG}:`)) return null;
  const name = argv[3].slice(NAME_ARG.length + 1) as FileOpName;
  const op: FileOp | undefined = FILE_OPS[name];
  if (!op || op.script !== argv[2]) return null;
  return { op, args: argv.slice(4) };
}

export function parseReadDir(stdout: string): { name: string; content: string }[] {
  const parts = stdout.split('\0');
  const files: { name: string; content: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) files.push({ name: parts[i], content: parts[i + 1] });
  return files;
}
