// One worker of Engine.evaluateParallel: its own instance of the compiled rules, the pack's
// data, and evaluations of the chunks it is sent (JSON bytes), answered with their results.
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

const require = createRequire(import.meta.url);
const { loadPolicy } = require("@open-policy-agent/opa-wasm") as {
  loadPolicy: (
    wasm: WebAssembly.Module,
    mem?: { initial: number },
  ) => Promise<{ setData(d: unknown): void; evaluate(input: ArrayBuffer, entrypoint: string): Array<{ result: unknown }> }>;
};
// The built-in rules first, then each set of user rules: the results are merged by rule package.
const { modules, data, entrypoint, initial } = workerData as { modules: WebAssembly.Module[]; data: unknown; entrypoint: string; initial: number[] };
const policies = await Promise.all(modules.map((m, i) => loadPolicy(m, { initial: initial[i] })));
for (const p of policies) p.setData(data);
parentPort!.on("message", (m: { n: number; input: ArrayBuffer }) => {
  try {
    const result: Record<string, unknown> = {};
    for (const p of policies) Object.assign(result, p.evaluate(m.input, entrypoint)[0]?.result ?? {});
    parentPort!.postMessage({ n: m.n, result });
  } catch (e) {
    parentPort!.postMessage({ n: m.n, error: String((e as Error)?.message ?? e) });
  }
});
