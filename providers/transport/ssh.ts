// The SSH transport: one ssh2 connection per host, opened on first use and kept
// for the run; commands go through persistent remote shells on it (framed, see
// framing.ts), with one exec channel per command as the fallback.
import { readFileSync } from 'node:fs';
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import type { BatchOptions, ExecOptions, ExecResult, Transport } from '../provider.js';
import { ProviderError } from '../provider.js';
import { FrameReader, frameCommand, frameParallel, newBoundary } from './framing.js';
import { verifyHostKey, knownKeyTypes, type HostKeyVerdict } from './host-keys.js';
import { promptHidden, terminalAvailable } from './prompt.js';
import { watched, type WaitingListener } from './progress.js';
import { commandLine } from './quote.js';
import { shownLine } from './stamped.js';
import { parseJump, resolveSsh, type ResolvedSsh, type SshEnvironment, type SshTarget } from './ssh-options.js';

export interface SshTransportOptions {
  target: SshTarget;
  env?: Record<string, string | undefined>; // SSH_AUTH_SOCK, XENFORM_SSH_PASSPHRASE
  sshEnv?: SshEnvironment; // home directory and ~/.ssh/config, for tests
  mode?: 'shell' | 'exec'; // shell (default, falls back to exec) or exec only
  connectTimeoutMs?: number;
  // The host's `command_timeout`: how long any command may take. Without it, commands that
  // only read (batches of parallel reads) get READ_TIMEOUT_MS and the others, which may wait
  // on a guest (xapi's own clean shutdown timeout is 20 minutes), CHANGE_TIMEOUT_MS.
  commandTimeoutMs?: number;
  onWaiting?: WaitingListener; // told while a command takes long (progress.ts)
  idleTimeoutMs?: number; // close the connection after this long without commands
  keepaliveMs?: number;
  maxShells?: number; // concurrent persistent shells on the connection
  promptPassphrase?: (question: string) => Promise<string>;
}

export const READ_TIMEOUT_MS = 2 * 60_000;
export const CHANGE_TIMEOUT_MS = 30 * 60_000;
const DEFAULTS = { connectTimeoutMs: 20_000, idleTimeoutMs: 5 * 60_000, keepaliveMs: 15_000, maxShells: 4 };

// ssh2 is loaded with the first connection: a command on simulated hosts never pays for it.
const ssh2 = async () => (await import('ssh2')).default;

const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function algorithmsFor(types: string[]): string[] {
  const preferred = types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const known = preferred.filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...known, ...HOST_KEY_ALGORITHMS])];
}

interface Limits {
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Shell {
  channel: ClientChannel;
  reader: FrameReader;
  running: string[]; // command lines in flight, for error messages
  dead: boolean;
}

interface Connection {
  client: Client;
  jump?: Client;
  shells: Shell[];
  shellUnavailable: boolean;
  sftp?: Promise<SFTPWrapper | null>;
  closed: boolean;
  closeReason?: string;
  inFlight: Set<(e: Error) => void>; // exec-channel commands to fail on a drop
}

export class SshTransport implements Transport {
  readonly description: string;
  private readonly opts: SshTransportOptions;
  private readonly resolved: ResolvedSsh;
  private conn: Promise<Connection> | null = null;
  private trips = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private active = 0;

  constructor(opts: SshTransportOptions) {
    this.opts = opts;
    this.resolved = resolveSsh(opts.target, opts.sshEnv);
    this.description = `ssh ${this.resolved.user}@${this.resolved.host}:${this.resolved.port}`;
  }

  roundTrips(): number {
    return this.trips;
  }

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const line = commandLine(argv);
    const shown = shownLine(argv);
    this.trips++;
    return watched(this.withConnection(async (conn) => {
      const limits = { timeoutMs: options.timeoutMs ?? this.opts.commandTimeoutMs ?? CHANGE_TIMEOUT_MS, signal: options.signal };
      const shell = this.opts.mode === 'exec' ? null : await this.shellFor(conn);
      if (!shell) return this.execChannel(conn, line, options.stdin, limits);
      const [result] = await this.runOnShell(conn, shell, [{ argv, line: shown, stdin: options.stdin }], limits);
      return result;
    }), shown, this.opts.onWaiting);
  }

  // Several commands in one round trip: written at once, answered in order.
  async batch(commands: string[][], options: BatchOptions = {}): Promise<ExecResult[]> {
    const items = commands.map((argv) => ({ argv, line: commandLine(argv) }));
    this.trips++;
    const what = items.length > 1 ? `${items[0].line} (and ${items.length - 1} more)` : items[0]?.line ?? '';
    return watched(this.withConnection(async (conn) => {
      const limits = { timeoutMs: options.timeoutMs ?? this.opts.commandTimeoutMs ?? (options.parallel ? READ_TIMEOUT_MS : CHANGE_TIMEOUT_MS) };
      const shell = this.opts.mode === 'exec' ? null : await this.shellFor(conn);
      if (shell) return this.runOnShell(conn, shell, items, limits, options.parallel);
      // exec fallback: one `sh` channel fed the framed script, closed after it.
      const once = await this.openShell(conn, false);
      try {
        return await this.runOnShell(conn, once, items, limits, options.parallel);
      } finally {
        once.channel.end();
      }
    }), what, this.opts.onWaiting);
  }

  async writeFile(path: string, content: string, mode = 0o644): Promise<void> {
    this.trips++;
    await this.withConnection(async (conn) => {
      const sftp = await this.sftpFor(conn);
      if (sftp) {
        const tmp = `${path}.xenform-tmp`;
        await new Promise<void>((resolve, reject) =>
          sftp.writeFile(tmp, content, { mode }, (err) => (err ? reject(err) : resolve())),
        );
        await new Promise<void>((resolve, reject) =>
          sftp.ext_openssh_rename(tmp, path, (err) => (err ? reject(err) : resolve())),
        ).catch(async () => {
          await new Promise<void>((resolve) => sftp.unlink(path, () => resolve()));
          await new Promise<void>((resolve, reject) => sftp.rename(tmp, path, (err) => (err ? reject(err) : resolve())));
        });
        return;
      }
      const script = `cat > "$1.xenform-tmp" && chmod ${mode.toString(8)} "$1.xenform-tmp" && mv -f "$1.xenform-tmp" "$1"`;
      const shell = await this.shellFor(conn);
      const argv = ['sh', '-c', script, 'sh', path];
      const r = shell
        ? (await this.runOnShell(conn, shell, [{ argv, line: commandLine(argv), stdin: content }], { timeoutMs: DEFAULTS.connectTimeoutMs }))[0]
        : await this.execChannel(conn, commandLine(argv), content, { timeoutMs: DEFAULTS.connectTimeoutMs });
      if (r.code !== 0) throw new Error(r.stderr.trim() || `exit ${r.code}`);
    }).catch((e) => {
      if (e instanceof ProviderError) throw e;
      throw new ProviderError(this.resolved.label, 'FILE', { path }, `cannot write ${path} on host "${this.resolved.label}": ${e.message}`);
    });
  }

  async readFile(path: string): Promise<string | null> {
    this.trips++;
    return this.withConnection(async (conn) => {
      const sftp = await this.sftpFor(conn);
      if (sftp) {
        return new Promise<string | null>((resolve, reject) =>
          sftp.readFile(path, (err: (Error & { code?: number }) | null | undefined, data: Buffer) => {
            if (err) return err.code === 2 ? resolve(null) : reject(err);
            resolve(data.toString('utf8'));
          }),
        );
      }
      const argv = ['sh', '-c', 'test -e "$1" || exit 66; cat -- "$1"', 'sh', path];
      const r = await this.execChannel(conn, commandLine(argv), undefined, { timeoutMs: DEFAULTS.connectTimeoutMs });
      if (r.code === 66) return null;
      if (r.code !== 0) throw new Error(r.stderr.trim());
      return r.stdout;
    });
  }

  async close(): Promise<void> {
    this.clearIdle();
    const pending = this.conn;
    this.conn = null;
    if (!pending) return;
    const conn = await pending.catch(() => null);
    if (conn) this.shutdown(conn, 'closed by xenform');
  }

  // --- connection ---------------------------------------------------------

  private async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    this.clearIdle();
    this.active++;
    try {
      if (!this.conn) {
        this.conn = this.connect();
        this.conn.catch(() => {
          this.conn = null;
        });
      }
      const conn = await this.conn;
      return await fn(conn);
    } finally {
      this.active--;
      if (this.active === 0) this.armIdle();
    }
  }

  private armIdle(): void {
    const ms = this.opts.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs;
    this.idleTimer = setTimeout(() => void this.close(), ms);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private transportError(message: string, params: Record<string, string> = {}): ProviderError {
    return new ProviderError(this.resolved.label, 'TRANSPORT', params, message);
  }

  private where(): string {
    return `host "${this.resolved.label}" (${this.resolved.user}@${this.resolved.host}:${this.resolved.port})`;
  }

  private async connect(): Promise<Connection> {
    const r = this.resolved;
    let jump: Client | undefined;
    let sock: ConnectConfig['sock'];
    if (r.proxyJump) {
      const j = parseJump(r.proxyJump);
      const jumpResolved = resolveSsh(
        { label: `${r.label} via ${r.proxyJump}`, address: j.address, user: j.user, port: j.port },
        this.opts.sshEnv,
      );
      jump = await this.handshake(jumpResolved);
      sock = await new Promise<ClientChannel>((resolve, reject) =>
        jump!.forwardOut('127.0.0.1', 0, r.host, r.port, (err, stream) =>
          err ? reject(this.transportError(`cannot reach ${this.where()} through ProxyJump ${r.proxyJump}: ${err.message}`)) : resolve(stream),
        ),
      );
    }
    const client = await this.handshake(r, sock).catch((e) => {
      jump?.end();
      throw e;
    });
    const conn: Connection = { client, jump, shells: [], shellUnavailable: false, closed: false, inFlight: new Set() };
    const onDrop = (reason: string) => {
      if (conn.closed) return;
      this.shutdown(conn, reason);
      if (this.conn) void this.conn.then((c) => c === conn && (this.conn = null)).catch(() => undefined);
    };
    client.on('close', () => onDrop('the connection was closed'));
    client.on('error', (e) => onDrop(`the connection was lost (${e.message})`));
    return conn;
  }

  private shutdown(conn: Connection, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.closeReason = reason;
    for (const shell of conn.shells) this.failShell(shell, reason);
    for (const fail of conn.inFlight) fail(new Error(reason));
    conn.inFlight.clear();
    conn.client.end();
    conn.jump?.end();
  }

  private async authMethods(r: ResolvedSsh): Promise<{ methods: NonNullable<ConnectConfig['authHandler']>; tried: string[] }> {
    const env = this.opts.env ?? process.env;
    const methods: Array<Record<string, unknown>> = [];
    const tried: string[] = [];
    if (env.SSH_AUTH_SOCK) {
      methods.push({ type: 'agent', username: r.user, agent: env.SSH_AUTH_SOCK });
      tried.push('ssh-agent');
    }
    for (const file of r.identityFiles) {
      let text: Buffer;
      try {
        text = readFileSync(file);
      } catch (e) {
        if (r.identityExplicit) {
          throw new ProviderError(r.label, 'AUTH', { file }, `cannot read identity_file ${file} for host "${r.label}": ${(e as Error).message}`);
        }
        continue;
      }
      const { utils } = await ssh2();
      let key = utils.parseKey(text);
      if (key instanceof Error && /passphrase/i.test(key.message)) {
        const passphrase = await this.passphraseFor(file, r);
        key = utils.parseKey(text, passphrase);
        if (key instanceof Error) {
          throw new ProviderError(r.label, 'AUTH', { file }, `cannot decrypt ${file} for host "${r.label}": ${key.message}`);
        }
      }
      if (key instanceof Error) {
        if (r.identityExplicit) {
          throw new ProviderError(r.label, 'AUTH', { file }, `identity_file ${file} of host "${r.label}" is not a private key xenform can read: ${key.message}`);
        }
        continue;
      }
      methods.push({ type: 'publickey', username: r.user, key: Array.isArray(key) ? key[0] : key });
      tried.push(file);
    }
    return { methods: methods as unknown as NonNullable<ConnectConfig['authHandler']>, tried };
  }

  private async passphraseFor(file: string, r: ResolvedSsh): Promise<string> {
    const env = this.opts.env ?? process.env;
    if (env.XENFORM_SSH_PASSPHRASE !== undefined) return env.XENFORM_SSH_PASSPHRASE;
    const prompt = this.opts.promptPassphrase ?? (terminalAvailable() ? promptHidden : null);
    if (!prompt) {
      throw new ProviderError(
        r.label,
        'AUTH',
        { file },
        `${file} is protected by a passphrase and there is no terminal to ask for it: ` +
          'load the key into ssh-agent or set XENFORM_SSH_PASSPHRASE',
      );
    }
    return prompt(`Passphrase for ${file}: `);
  }

  private async handshake(r: ResolvedSsh, sock?: ConnectConfig['sock']): Promise<Client> {
    const { methods, tried } = await this.authMethods(r);
    const where = `host "${r.label}" (${r.user}@${r.host}:${r.port})`;
    if (tried.length === 0) {
      throw new ProviderError(
        r.label,
        'AUTH',
        {},
        `no way to log in to ${where}: no ssh-agent (SSH_AUTH_SOCK) and no key in ~/.ssh/id_ed25519, id_ecdsa or id_rsa; set identity_file in the host block`,
      );
    }
    let verdict: HostKeyVerdict | null = null;
    const client = new (await ssh2()).Client();
    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      client.once('ready', () => {
        settled = true;
        resolve(client);
      });
      // ssh2 may raise more than one error while it gives up (a handshake timeout, then "Connection
      // lost before handshake"): the first decides, the rest are expected and must not go uncaught.
      client.on('error', (err: Error & { level?: string }) => {
        if (settled) return;
        settled = true;
        client.destroy();
        if (verdict && !verdict.ok) return reject(new ProviderError(r.label, 'HOST_KEY', { kind: verdict.kind }, verdict.message));
        if (err.level === 'client-authentication') {
          return reject(new ProviderError(r.label, 'AUTH', {}, `${where} refused the login; tried ${tried.join(', ')}`));
        }
        if (/timed out/i.test(err.message)) {
          return reject(this.transportError(`cannot connect to ${where}: no answer within ${this.opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs} ms`));
        }
        reject(this.transportError(`cannot connect to ${where}: ${err.message}`));
      });
      client.connect({
        host: r.host,
        port: r.port,
        username: r.user,
        sock,
        authHandler: methods,
        readyTimeout: this.opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
        keepaliveInterval: this.opts.keepaliveMs ?? DEFAULTS.keepaliveMs,
        keepaliveCountMax: 3,
        algorithms: { serverHostKey: algorithmsFor(knownKeyTypes(r.knownHostsFiles, r.host, r.port)) as never },
        hostVerifier: (key: Buffer) => {
          verdict = verifyHostKey({ hostLabel: r.label, host: r.host, port: r.port, key, knownHostsFiles: r.knownHostsFiles, pinned: r.pinned });
          return verdict.ok;
        },
      });
    });
  }

  // --- persistent shells ----------------------------------------------------

  private async shellFor(conn: Connection): Promise<Shell | null> {
    if (conn.shellUnavailable) return null;
    conn.shells = conn.shells.filter((s) => !s.dead);
    const idle = conn.shells.find((s) => s.running.length === 0);
    if (idle) return idle;
    if (conn.shells.length < (this.opts.maxShells ?? DEFAULTS.maxShells)) {
      try {
        return await this.openShell(conn, true);
      } catch (e) {
        if (e instanceof ProviderError) throw e;
        conn.shellUnavailable = true;
        return null;
      }
    }
    return conn.shells.reduce((a, b) => (b.running.length < a.running.length ? b : a));
  }

  private openShell(conn: Connection, keep: boolean): Promise<Shell> {
    if (conn.closed) return Promise.reject(this.transportError(`the connection to ${this.where()} is closed`));
    return new Promise<Shell>((resolve, reject) => {
      conn.client.exec('sh', (err, channel) => {
        if (err) return reject(err);
        const shell: Shell = { channel, reader: new FrameReader(), running: [], dead: false };
        channel.on('data', (c: Buffer) => shell.reader.onStdout(c));
        channel.stderr.on('data', (c: Buffer) => shell.reader.onStderr(c));
        channel.on('close', () => this.failShell(shell, conn.closeReason ?? 'the remote shell ended'));
        if (keep) conn.shells.push(shell);
        resolve(shell);
      });
    });
  }

  private failShell(shell: Shell, reason: string): void {
    if (shell.dead) return;
    shell.dead = true;
    const running = shell.running;
    shell.reader.failAll((i) =>
      this.transportError(
        `${this.where()}: ${reason} while running \`${running[i] ?? '?'}\`. ` +
          'It was not repeated: it may or may not have taken effect.',
        { command: running[i] ?? '' },
      ),
    );
    shell.channel.close();
  }

  private async runOnShell(
    conn: Connection,
    shell: Shell,
    items: { argv: string[]; line: string; stdin?: string }[],
    { timeoutMs, signal }: Limits,
    parallel = false,
  ): Promise<ExecResult[]> {
    if (signal?.aborted) throw this.abandoned(items.map((i) => i.line).join('; '), false);
    if (conn.closed || shell.dead) throw this.transportError(`the connection to ${this.where()} is closed`);
    const boundaries = items.map(() => newBoundary());
    let text = parallel && items.length > 1 ? frameParallel(items.map((item, i) => ({ argv: item.argv, boundary: boundaries[i] }))) : '';
    const promises = items.map((item, i) => {
      const boundary = boundaries[i];
      if (!(parallel && items.length > 1)) text += frameCommand(item.argv, boundary, item.stdin);
      shell.running.push(item.line);
      return shell.reader.expect(boundary).finally(() => {
        const i = shell.running.indexOf(item.line);
        if (i >= 0) shell.running.splice(i, 1);
      });
    });
    let timer: NodeJS.Timeout | null = null;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const line = items.length > 1 ? `${items[0].line} (and ${items.length - 1} more)` : items[0].line;
        this.failShell(shell, `no answer within ${formatMs(timeoutMs)}`);
        reject(this.timedOut(line, timeoutMs));
      }, timeoutMs);
    });
    let onAbort: (() => void) | null = null;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        this.failShell(shell, 'the command was abandoned');
        reject(this.abandoned(items.map((i) => i.line).join('; '), true));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    shell.channel.write(text);
    try {
      return await Promise.race([Promise.all(promises), timeout, aborted]);
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private timedOut(line: string, timeoutMs: number): ProviderError {
    return new ProviderError(this.resolved.label, 'TIMEOUT', { command: line, timeout_ms: String(timeoutMs) },
      `${this.where()}: \`${line}\` did not finish within ${formatMs(timeoutMs)}; it was abandoned and may still be running ` +
        `(command_timeout in the host block sets how long a command may take)`);
  }

  private abandoned(line: string, started: boolean): ProviderError {
    return new ProviderError(this.resolved.label, 'ABORTED', { command: line, started: String(started) },
      started
        ? `${this.where()}: \`${line}\` was abandoned when asked to stop; it may still complete on the host`
        : `${this.where()}: \`${line}\` was not run: asked to stop`);
  }

  // --- one exec channel per command -------------------------------------------

  private execChannel(conn: Connection, line: string, stdin: string | undefined, { timeoutMs, signal }: Limits): Promise<ExecResult> {
    if (conn.closed) return Promise.reject(this.transportError(`the connection to ${this.where()} is closed`));
    if (signal?.aborted) return Promise.reject(this.abandoned(line, false));
    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      let open: ClientChannel | null = null;
      const onAbort = () => {
        open?.close();
        fail(this.abandoned(line, true));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        conn.inFlight.delete(fail);
        clearTimeout(timer);
        reject(e instanceof ProviderError ? e : this.transportError(
          `${this.where()}: ${e.message} while running \`${line}\`. It was not repeated: it may or may not have taken effect.`,
          { command: line },
        ));
      };
      conn.inFlight.add(fail);
      const timer = setTimeout(() => fail(this.timedOut(line, timeoutMs)), timeoutMs);
      conn.client.exec(line, (err, channel) => {
        if (err) return fail(err);
        open = channel;
        if (settled) return channel.close();
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        channel.on('data', (c: Buffer) => out.push(c));
        channel.stderr.on('data', (c: Buffer) => errs.push(c));
        channel.on('close', (code: number | null) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          conn.inFlight.delete(fail);
          clearTimeout(timer);
          if (code === null || code === undefined) {
            return reject(this.transportError(`${this.where()}: \`${line}\` ended without an exit status`, { command: line }));
          }
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code });
        });
        if (stdin !== undefined) channel.end(stdin);
        else channel.end();
      });
    });
  }

  private sftpFor(conn: Connection): Promise<SFTPWrapper | null> {
    if (!conn.sftp) {
      conn.sftp = new Promise((resolve) => conn.client.sftp((err, sftp) => resolve(err ? null : sftp)));
    }
    return conn.sftp;
  }
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
