import { describe, expect, it } from "vitest";
import { createRateLimiter, mapPool } from "../../collectors/aws/concurrency.js";

describe("createRateLimiter", () => {
  it("spends the burst at once, then spaces calls at the rate", async () => {
    const limit = createRateLimiter(50, 2); // 20 ms a token after a burst of 2
    const t0 = performance.now();
    const at: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await limit();
        at.push(performance.now() - t0);
      }),
    );
    expect(at[1]).toBeLessThan(15);
    expect(at[5]).toBeGreaterThanOrEqual(70); // 4 more tokens × 20 ms, minus timer slack
  });
  it("is a no-op when the rate is 0 or infinite", async () => {
    await createRateLimiter(0)();
    await createRateLimiter(Infinity)();
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
