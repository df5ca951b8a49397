// How many tokens each denoising step unmasks, and the image temperature schedule (sampling/schedules.py).

export type Schedule = 'uniform' | 'shift';

/** LLaDA's schedule: masked // steps per step, the remainder spread over the first steps. */
export function uniformCounts(masked: number, steps: number): number[] {
  const base = Math.floor(masked / steps);
  const extra = masked - base * steps;
  return Array.from({ length: steps }, (_, i) => base + (i < extra ? 1 : 0));
}

/** A finite double as an exact (integer mantissa, power-of-two exponent) pair. */
function exact(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased) mantissa |= 1n << 52n;
  const sign = hi >>> 31 ? -1n : 1n;
  return [sign * mantissa, (biased || 1) - 1075];
}

/** c - a*b rounded once, as a fused multiply-add computes it (JS has no fma). Exact BigInt arithmetic, then one
 *  rounding by Number(); fine for the normal-range values used here. */
function fmaSub(c: number, a: number, b: number): number {
  if (a === 0 || b === 0) return c;
  const [ma, ea] = exact(a);
  const [mb, eb] = exact(b);
  const [mc, ec] = exact(c);
  const e = Math.min(ea + eb, ec);
  const sum = (mc << BigInt(ec - e)) - ((ma * mb) << BigInt(ea + eb - e));
  return Number(sum) * 2 ** e;
}

/** torch.linspace(0, 1, n) in float64, bit for bit: the first half is step * i, the second half counts down from
 *  1 with a fused multiply-add (torch's CPU kernel), which the floors of the shift schedule can tell apart. */
function linspace01(n: number): number[] {
  if (n === 1) return [0];
  const step = 1 / (n - 1);
  const half = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => (i < half ? step * i : fmaSub(1, step, n - i - 1)));
}

/** LaViDa's timestep-shift schedule: sigma(t) = s*t / (1 + (s-1)*t); counts are the differences of
 *  floor(sigma * masked), at least 1, in reverse order. */
export function shiftCounts(masked: number, steps: number, shift: number): number[] {
  const floors = linspace01(steps + 1).map((t) => Math.floor(((shift * t) / (1 + (shift - 1) * t)) * masked));
  const counts = floors.slice(1).map((f, i) => Math.max(f - floors[i]!, 1));
  return counts.reverse();
}

/** Per-step counts that unmask exactly `masked` tokens: the last step takes whatever remains. */
export function transferCounts(masked: number, steps: number, schedule: Schedule, shift: number): number[] {
  if (steps < 1) throw new Error('steps must be at least 1');
  const counts = schedule === 'uniform' ? uniformCounts(masked, steps) : shiftCounts(masked, steps, shift);
  let remaining = masked;
  return counts.map((c, i) => {
    const take = i === steps - 1 ? remaining : Math.min(c, remaining);
    remaining -= take;
    return take;
  });
}

/** Cosine decay from `start` at step 0 to `end` at the last step (image sampling). */
export function cosineTemperature(step: number, steps: number, start: number, end: number): number {
  if (steps <= 1) return start;
  const progress = step / (steps - 1);
  return end + (start - end) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
