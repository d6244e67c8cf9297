// The simulator daemon: one long-lived process per host state file that runs the commands
// of the `xe` and `xl` executables (bin/xe, a thin client that starts in a few ms where Node
// takes over 100 ms), so that a simulated command answers in milliseconds.
//
//   node dist/providers/sim/daemon.js <state-path> <ready-fd>
//
// It listens on the unix socket of its state file (daemon-socket.ts: a short path in a
// directory of this user's alone), writes "ready\n" to <ready-fd> once it does (or closes it
// on failure), and exits once idle for IDLE_MS, once the state file's directory is gone (with
// the test that made it) or once its socket is gone or taken over. Nothing of the host lives
// here that is not in the state file: every command goes through store.ts under the host's
// lock and writes the file at rest before it answers, exactly as a separate `xe` process did,
// so tests, tools and other processes read and change the file as before, and two daemons on
// one file would still be correct.
//
// Protocol, one request per connection. Request: a 4-byte big-endian length, then NUL-
// separated fields: "xensim1", the tool (xe|xl), the client's pid, its $PWD (its working
// directory is read from /proc, which is always right; $PWD only where /proc is not there),
// the number of environment entries, the entries ("XENSIM_...=value"), the arguments.
// Answer: the exit code (4 bytes, signed; -1: the client must die by SIGKILL, the
// `kill_during` fault; -2: the request is for another state file, the client runs the
// simulator itself), then stdout and stderr, each a 4-byte length and the bytes.
// A client whose connection closes before its answer died: its command stops at its next
// access to the host (daemon-caller.ts), as the killed process would have stopped.
import { closeSync, existsSync, mkdirSync, readlinkSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFor, type Caller } from './daemon-caller.js';
import { socketDir, socketDirProblem, socketPath } from './daemon-socket.js';
import { writeAtRest } from './host-file.js';
import { runCall, simOptions } from './main.js';

const IDLE_MS = 10_000;
const CHECK_MS = 1_000;
const MAX_REQUEST = 64 * 1024 * 1024;
export const PROTOCOL = 'xensim1';
const NOT_MINE = -2;

interface Request {
  tool: 'xe' | 'xl';
  pid: number;
  cwd: string;
  env: Record<string, string>;
  args: string[];
}

export function parseRequest(payload: Buffer): Request | string {
  const fields = payload.toString('utf8').split('\0');
  const [protocol, tool, pid, pwd, count] = fields;
  const n = Number(count);
  if (protocol !== PROTOCOL || (tool !== 'xe' && tool !== 'xl') || !/^\d+$/.test(pid ?? '') || !Number.isInteger(n) || fields.length < 5 + n) {
    return `the simulator daemon cannot read this request (client and daemon of different versions?)\n`;
  }
  const env: Record<string, string> = {};
  for (const entry of fields.slice(5, 5 + n)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { tool, pid: Number(pid), cwd: workingDirectory(Number(pid), pwd), env, args: fields.slice(5 + n) };
}

function workingDirectory(pid: number, pwd: string): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return pwd.startsWith('/') ? pwd : '/';
  }
}

export function encodeAnswer(code: number, stdout: string, stderr: string): Buffer {
  const out = Buffer.from(stdout);
  const err = Buffer.from(stderr);
  const head = Buffer.alloc(8);
  head.writeInt32BE(code, 0);
  head.writeUInt32BE(out.length, 4);
  const mid = Buffer.alloc(4);
  mid.writeUInt32BE(err.length, 0);
  return Buffer.concat([head, out, mid, err]);
}

class Daemon {
  private active = 0;
  private lastUsed = Date.now();
  private inode = -1;

  constructor(
    private readonly statePath: string,
    private readonly path: string,
    private readonly server: Server,
  ) {}

  listening(): void {
    this.inode = statSync(this.path).ino;
    setInterval(() => this.check(), CHECK_MS);
  }

  // Idle too long, the state file's directory removed, or the socket removed or replaced: exit
  // once the clients have their answers.
  private check(): void {
    let ours = false;
    try {
      ours = statSync(this.path).ino === this.inode;
    } catch {
      // gone
    }
    const gone = !ours || !existsSync(dirname(this.statePath));
    if (this.active > 0 || (!gone && Date.now() - this.lastUsed < IDLE_MS)) return;
    if (ours) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
    this.server.close();
    process.exit(0);
  }

  serve(socket: Socket): void {
    this.active++;
    this.lastUsed = Date.now();
    let chunks: Buffer[] = [];
    let size = 0;
    let caller: Caller | null = null;
    const done = () => {
      this.active--;
      this.lastUsed = Date.now();
    };
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (caller) caller.gone = true;
      else done();
    });
    socket.on('data', (d) => {
      if (caller) return;
      chunks.push(d);
      size += d.length;
      if (size < 4) return;
      const all = Buffer.concat(chunks);
      chunks = [all];
      const length = all.readUInt32BE(0);
      if (length > MAX_REQUEST) return void socket.destroy();
      if (all.length < 4 + length) return;
      const request = parseRequest(all.subarray(4, 4 + length));
      const pid = typeof request === 'string' ? 0 : request.pid;
      caller = { pid, gone: false, killed: false };
      void this.answer(socket, caller, request).finally(done);
    });
  }

  private async answer(socket: Socket, caller: Caller, request: Request | string): Promise<void> {
    let r;
    if (typeof request === 'string') r = { stdout: '', stderr: request, code: 1 };
    else {
      const opts = simOptions(request.tool, request.env, request.cwd);
      if (typeof opts !== 'string' && opts.statePath !== this.statePath) r = { stdout: '', stderr: '', code: NOT_MINE };
      else r = await runFor(caller, () => runCall(request.tool, request.args, opts));
    }
    if (caller.gone) return;
    socket.end(caller.killed ? encodeAnswer(-1, '', '') : encodeAnswer(r.code, r.stdout, r.stderr));
  }
}

// True when a daemon answers on the socket.
function answering(path: string): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(path);
    s.on('connect', () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(path, () => {
      server.off('error', rej);
      res();
    });
  });
}

export async function startDaemon(state: string, readyFd: number): Promise<void> {
  writeAtRest();
  const statePath = resolve(state);
  const problem = socketDirProblem(socketDir());
  if (problem) throw new Error(problem);
  const path = socketPath(statePath);
  mkdirSync(dirname(statePath), { recursive: true });
  let daemon: Daemon | null = null;
  const server = createServer({ allowHalfOpen: false }, (socket) => daemon!.serve(socket));
  daemon = new Daemon(statePath, path, server);
  try {
    await listen(server, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    // Another daemon started first: the client is served by it.
    if (await answering(path)) return ready(readyFd, () => process.exit(0));
    unlinkSync(path); // left by a daemon that was killed
    await listen(server, path);
  }
  daemon.listening();
  ready(readyFd);
}

function ready(fd: number, then?: () => void): void {
  try {
    writeSync(fd, 'ready\n');
    closeSync(fd);
  } catch {
    // the client that started this daemon is gone: others will find the socket
  }
  then?.();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [statePath, fd] = process.argv.slice(2);
  startDaemon(statePath, Number(fd)).catch((e: Error) => {
    process.stderr.write(`simulator daemon: ${e.message}\n`);
    process.exit(1);
  });
}
