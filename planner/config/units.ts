// Sizes ("2GiB", "512MiB") and durations ("90s", "2m", "1h30m").

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

export const SIZE_FORMS = 'a string with a binary unit such as "512MiB", "2GiB" or "1.5GiB" (units: B, KiB, MiB, GiB, TiB)';

// Decimal spellings people reach for, and the binary unit xenform means by them.
const DECIMAL_UNITS: Record<string, string> = { KB: 'KiB', kB: 'KiB', MB: 'MiB', GB: 'GiB', TB: 'TiB', K: 'KiB', M: 'MiB', G: 'GiB', T: 'TiB' };

// A size needs its unit: a bare 1024 is more likely meant as MiB than as bytes, so it is refused.
export function parseSize(v: string | number): { bytes: number } | { error: string } {
  if (typeof v === 'number') return { error: `${v} has no unit: write a size as ${SIZE_FORMS}; for example "${v}MiB".` };
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(v);
  if (m && m[2] === '') return { error: `${JSON.stringify(v)} has no unit: write a size as ${SIZE_FORMS}; for example "${m[1]}MiB".` };
  if (m && Object.hasOwn(DECIMAL_UNITS, m[2])) {
    return { error: `${JSON.stringify(v)} uses the unit "${m[2]}": xenform sizes are binary; did you mean "${m[1]}${DECIMAL_UNITS[m[2]]}"?` };
  }
  if (!m || !Object.hasOwn(SIZE_UNITS, m[2])) return { error: `${JSON.stringify(v)} is not a size: use ${SIZE_FORMS}.` };
  const bytes = Number(m[1]) * SIZE_UNITS[m[2]];
  if (!Number.isInteger(bytes)) {
    return { error: `${JSON.stringify(v)} is not a whole number of bytes: use ${SIZE_FORMS}.` };
  }
  return { bytes };
}

// "16MiB": the largest binary unit that divides `bytes`.
export function formatSize(bytes: number): string {
  const unit = Object.keys(SIZE_UNITS).reverse().find((u) => bytes % SIZE_UNITS[u] === 0 && bytes >= SIZE_UNITS[u]) ?? 'B';
  return `${bytes / SIZE_UNITS[unit]}${unit}`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export const DURATION_FORMS = 'a string such as "90s", "2m" or "1h30m" (units: ms, s, m, h)';

export function parseDuration(v: string): { ms: number } | { error: string } {
  const whole = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
  if (!whole.test(v)) return { error: `${JSON.stringify(v)} is not a duration: use ${DURATION_FORMS}.` };
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * DURATION_UNITS[m[2]];
  return { ms: Math.round(ms) };
}
