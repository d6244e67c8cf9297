// Filesystem functions, relative to the configuration directory.
import path from 'node:path';
import { BOOL, DYNAMIC, STRING, type Value, asString, bool, str } from '../eval/value.js';
import { FnError, type FnContext, type FnTable } from './spec.js';
import { decodeUtf8 } from './encoding.js';

function expandHome(ctx: FnContext, p: string): string {
  if (p === '~') return ctx.source.homeDir();
  if (p.startsWith('~/')) return path.join(ctx.source.homeDir(), p.slice(2));
  return p;
}

const resolve = (ctx: FnContext, p: string) => path.resolve(ctx.dir, expandHome(ctx, p));

// The largest file that file() and templatefile() read: far beyond any real template.
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

function readText(ctx: FnContext, p: string): string {
  const kind = ctx.source.kind(resolve(ctx, p));
  if (kind === 'other') {
    const dir = 'names' in ctx.source.readDir(resolve(ctx, p));
    throw new FnError(`${JSON.stringify(p)} is ${dir ? 'a directory, not a file' : 'not a regular file'}`, 0);
  }
  const tooLarge = (size: number) => new FnError(`${JSON.stringify(p)} is ${size} bytes long, more than the limit of ${MAX_FILE_BYTES} bytes (${MAX_FILE_BYTES / 1024 / 1024} MiB)`, 0);
  if (typeof kind === 'object' && kind.size > MAX_FILE_BYTES) throw tooLarge(kind.size);
  const r = ctx.source.readFile(resolve(ctx, p));
  if (!('bytes' in r)) {
    if (r.failure === 'missing') {
      throw new FnError(
        `no file exists at ${JSON.stringify(p)}; this function works only with files that are distributed as part of the configuration source code`,
        0,
      );
    }
    if (r.failure === 'directory') throw new FnError(`${JSON.stringify(p)} is a directory, not a file`, 0);
    throw new FnError(`failed to read ${JSON.stringify(p)}: ${r.message}`, 0);
  }
  if (r.bytes.length > MAX_FILE_BYTES) throw tooLarge(r.bytes.length);
  const text = decodeUtf8(r.bytes);
  if (text === null) throw new FnError(`contents of ${JSON.stringify(p)} are not valid UTF-8`, 0);
  return text;
}

export const filesystemFunctions: FnTable = {
  file: {
    params: [{ name: 'path', type: STRING }],
    returns: STRING,
    impl: ([p], ctx) => str(readText(ctx, asString(p))),
  },
  fileexists: {
    params: [{ name: 'path', type: STRING }],
    returns: BOOL,
    impl: ([p], ctx) => {
      const kind = ctx.source.kind(resolve(ctx, asString(p)));
      if (kind === 'other') throw new FnError(`${JSON.stringify(asString(p))} is not a regular file`, 0);
      return bool(kind !== 'missing');
    },
  },
  templatefile: {
    params: [
      { name: 'path', type: STRING },
      { name: 'vars', type: DYNAMIC },
    ],
    impl: ([p, vars], ctx) => {
      if (vars.type.kind !== 'map' && vars.type.kind !== 'object') throw new FnError('must be a map or object', 1);
      const text = readText(ctx, asString(p));
      return ctx.renderTemplate(text, asString(p), vars.raw as Map<string, Value>);
    },
  },
  abspath: {
    params: [{ name: 'path', type: STRING }],
    returns: STRING,
    impl: ([p], ctx) => str(path.resolve(ctx.dir, asString(p))),
  },
  basename: {
    params: [{ name: 'path', type: STRING }],
    returns: STRING,
    impl: ([p]) => {
      const s = asString(p);
      if (s === '') return str('.');
      if (/^\/+$/.test(s)) return str('/');
      return str(path.basename(s));
    },
  },
  dirname: {
    params: [{ name: 'path', type: STRING }],
    returns: STRING,
    impl: ([p]) => str(path.dirname(asString(p))),
  },
  pathexpand: {
    params: [{ name: 'path', type: STRING }],
    returns: STRING,
    impl: ([p], ctx) => str(expandHome(ctx, asString(p))),
  },
};
