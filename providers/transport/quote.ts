// The one way a value reaches a remote command line: POSIX single quotes.
// Inside '…' a shell interprets nothing, so the only character that needs
// care is the quote itself, written as '\'' (close, escaped quote, reopen).

export class QuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuoteError';
  }
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quote(value: string): string {
  if (value.includes('\0')) {
    throw new QuoteError(
      `a command argument contains a NUL byte (${JSON.stringify(value.slice(0, 40))}…); ` +
        'NUL cannot pass through a command line, so remove it from the value',
    );
  }
  // Bare words keep logs readable; anything else, including "" and a leading "-"
  // (harmless to a shell, the receiving program decides), is single-quoted.
  if (SAFE.test(value) && !value.startsWith('-')) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// argv -> one shell command line, every word quoted.
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new QuoteError('an empty command cannot be run');
  // A first word with "=" would be read as a variable assignment: always quote it.
  const [first, ...rest] = argv;
  const head = first.includes('=') ? `'${first.replace(/'/g, `'\\''`)}'` : quote(first);
  return [head, ...rest.map(quote)].join(' ');
}
