/** Small concurrency helpers for the collectors: a worker pool and a token-bucket rate limiter. */

/**
 * Runs `worker` over `items` with at most `concurrency` in flight; results keep the input
 * order. A rejection stops new work from starting and is re-thrown (callers that must not
 * fail catch inside `worker`).
 */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const width = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  let next = 0;
  let failed = false;
  const run = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await worker(items[i], i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: width }, run));
  return results;
}

export type Limiter = () => Promise<void>;

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. Waiters are
 * served first come, first served. `ratePerSecond` ≤ 0 or Infinity means no limit.
 */
export function createRateLimiter(ratePerSecond: number, burst = Math.max(1, Math.ceil(ratePerSecond)), now: () => number = () => performance.now()): Limiter {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) return () => Promise.resolve();
  const perToken = 1000 / ratePerSecond;
  let tokens = burst;
  let last = now();
  let queue: Promise<void> = Promise.resolve();
  const take = async (): Promise<void> => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) / perToken);
    last = t;
    if (tokens >= 1) {
      tokens -= 1;
      return;
    }
    const wait = (1 - tokens) * perToken;
    await new Promise<void>((resolve) => setTimeout(resolve, wait));
    tokens = Math.min(burst, tokens + (now() - last) / perToken) - 1;
    last = now();
  };
  return () => {
    const turn = queue.then(take);
    queue = turn.catch(() => undefined);
    return turn;
  };
}
