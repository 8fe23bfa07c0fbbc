import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRateLimiter, mapPool } from "../../collectors/aws/concurrency.js";

describe("createRateLimiter", () => {
  // Fake timers and a fake clock: the spacing is asserted exactly, not against the wall clock.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("spends the burst at once, then spaces calls at the rate", async () => {
    const limit = createRateLimiter(50, 2, () => Date.now()); // 20 ms a token after a burst of 2
    const t0 = Date.now();
    const at: number[] = [];
    const all = Promise.all(
      Array.from({ length: 6 }, async () => {
        await limit();
        at.push(Date.now() - t0);
      }),
    );
    await vi.runAllTimersAsync();
    await all;
    expect(at).toEqual([0, 0, 20, 40, 60, 80]);
  });

  it("is a no-op when the rate is 0 or infinite", async () => {
    for (const rate of [0, -1, Infinity, Number.NaN]) {
      const limit = createRateLimiter(rate, 1, () => Date.now());
      const t0 = Date.now();
      let done = 0;
      await Promise.all(Array.from({ length: 100 }, () => limit().then(() => done++)));
      expect(done).toBe(100);
      expect(vi.getTimerCount()).toBe(0); // nothing waited
      expect(Date.now() - t0).toBe(0);
    }
  });

  it("a limited rate does wait (the no-op test above can fail)", async () => {
    const limit = createRateLimiter(10, 1, () => Date.now());
    await limit();
    const second = limit();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await second;
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("mapPool", () => {
  it("keeps the input order and rethrows the first failure", async () => {
    expect(
      await mapPool([3, 1, 2], 2, async (n) => {
        await new Promise((r) => setTimeout(r, n));
        return n * 10;
      }),
    ).toEqual([30, 10, 20]);
    await expect(
      mapPool([1, 2], 1, async (n) => {
        if (n === 1) throw new Error("boom");
        return n;
      }),
    ).rejects.toThrow("boom");
    expect(await mapPool([], 4, async () => 1)).toEqual([]);
  });
});
