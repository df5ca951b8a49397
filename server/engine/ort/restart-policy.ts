// When a crashed worker is replaced: exponential backoff over the crashes of the last `windowMs`, and no more
// replacements once more than `maxRestarts` crashes fall in that window (a crash loop is not retried forever).

export interface RestartPolicy {
  maxRestarts: number; // replacements allowed within windowMs (0: never replace)
  windowMs: number;
  backoffMs: number; // delay before the first replacement in the window; doubles with each further crash
  maxBackoffMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 60_000,
  backoffMs: 250,
  maxBackoffMs: 10_000,
};

export function checkPolicy(p: RestartPolicy): RestartPolicy {
  const ok =
    Number.isInteger(p.maxRestarts) &&
    p.maxRestarts >= 0 &&
    p.windowMs > 0 &&
    p.backoffMs >= 0 &&
    p.maxBackoffMs >= p.backoffMs;
  if (!ok) throw new Error(`invalid worker restart policy ${JSON.stringify(p)}`);
  return p;
}

/** The pool's crash history (crashes of every worker count, failed replacements included). */
export class CrashWindow {
  private crashes: number[] = [];

  constructor(
    readonly policy: RestartPolicy,
    private readonly now: () => number = Date.now,
  ) {
    checkPolicy(policy);
  }

  /** Records a crash: the delay before replacing the worker, or null when the policy gives up. */
  record(): number | null {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.policy.windowMs);
    this.crashes.push(t);
    const n = this.crashes.length;
    if (n > this.policy.maxRestarts) return null;
    return Math.min(this.policy.maxBackoffMs, this.policy.backoffMs * 2 ** (n - 1));
  }

  /** Crashes within the window, as of the last `record`. */
  get recent(): number {
    return this.crashes.length;
  }
}
