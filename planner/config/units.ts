// Sizes ("2GiB", "512MiB", plain bytes) and durations ("90s", "2m", "1h30m").

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

export const SIZE_FORMS =
  'a whole number of bytes, or a string with a binary unit such as "512MiB", "2GiB" or "1.5GiB" (units: B, KiB, MiB, GiB, TiB)';

export function parseSize(v: string | number): { bytes: number } | { error: string } {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return { error: `${v} is not a size: use ${SIZE_FORMS}.` };
    return { bytes: v };
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(v);
  const unit = m ? (m[2] === '' ? 'B' : m[2]) : '';
  if (!m || !Object.hasOwn(SIZE_UNITS, unit)) {
    return { error: `${JSON.stringify(v)} is not a size: use ${SIZE_FORMS}.` };
  }
  const bytes = Number(m[1]) * SIZE_UNITS[unit];
  if (!Number.isInteger(bytes)) {
    return { error: `${JSON.stringify(v)} is not a whole number of bytes: use ${SIZE_FORMS}.` };
  }
  return { bytes };
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
