// A scripted Transport: records every command and answers from a handler.
import type { ExecResult, Transport } from '../../providers/provider.js';
import { asChain, runChain } from '../../providers/transport/chain.js';
import { asStamped, runStamped } from '../../providers/transport/stamped.js';

export class FakeTransport implements Transport {
  readonly description = 'fake';
  readonly calls: string[][] = [];
  readonly files = new Map<string, string>();
  private trips = 0;

  constructor(private readonly handler: (argv: string[]) => ExecResult | undefined) {}

  async exec(argv: string[]): Promise<ExecResult> {
    this.trips++;
    const chained = asChain(argv);
    if (chained) return runChain(chained, async (a) => this.answer(a));
    const stamp = asStamped(argv);
    if (stamp) return runStamped(stamp, async (a) => this.answer(a));
    return this.answer(argv);
  }

  async batch(commands: string[][]): Promise<ExecResult[]> {
    this.trips++;
    return commands.map((c) => this.answer(c));
  }

  async writeFile(path: string, content: string): Promise<void> {
    this.trips++;
    this.files.set(path, content);
  }

  async readFile(path: string): Promise<string | null> {
    this.trips++;
    return this.files.get(path) ?? null;
  }

  roundTrips(): number {
    return this.trips;
  }

  async close(): Promise<void> {}

  private answer(argv: string[]): ExecResult {
    this.calls.push(argv);
    const r = this.handler(argv) ?? { stdout: '', stderr: '', code: 0 };
    return /-list$/.test(argv[1] ?? '') && r.code === 0 ? asAsked(argv, r) : r;
  }
}

export const ok = (stdout = ''): ExecResult => ({ stdout, stderr: '', code: 0 });
export const fail = (stderr: string): ExecResult => ({ stdout: '', stderr, code: 1 });

// xe's record printer (xapi-spec §2.4): the first key left-justified, the others
// right-justified to 4 + the longest key, two blank lines after every record.
export function xeTable(records: [string, string][][]): string {
  return records
    .map((fields) => {
      const width = 4 + Math.max(...fields.map(([k]) => k.length));
      return fields.map(([k, v], i) => `${i === 0 ? k.padEnd(width) : k.padStart(width)}: ${v}`).join('\n') + '\n\n\n';
    })
    .join('');
}

// A scripted table answered as xe would for the `params=` and `--minimal` asked for: only
// those fields, in the table's order; with --minimal, the first of them, comma-separated.
function asAsked(argv: string[], r: ExecResult): ExecResult {
  const params = argv.find((a) => a.startsWith('params='))?.slice('params='.length).split(',');
  if (!params || !/\(( RO| RW|SRO|SRW|MRO|MRW)\)/.test(r.stdout)) return r;
  const records = r.stdout.split('\n\n\n').filter((chunk) => chunk.trim() !== '').map((chunk) =>
    chunk.split('\n').map((line): [string, string] => {
      const at = line.indexOf(': ');
      return [line.slice(0, at).trim(), line.slice(at + 2)];
    }).filter(([k]) => params.includes(k.split(' ')[0])));
  if (argv.includes('--minimal')) {
    return { ...r, stdout: records.map((fields) => (fields[0]?.[1] ?? '').replace(/\\/g, '\\\\').replace(/,/g, '\\,')).join(',') + '\n' };
  }
  return { ...r, stdout: xeTable(records) };
}
