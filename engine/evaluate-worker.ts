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
const { module, data, entrypoint, initial } = workerData as { module: WebAssembly.Module; data: unknown; entrypoint: string; initial: number };
const policy = await loadPolicy(module, { initial });
policy.setData(data);
parentPort!.on("message", (m: { n: number; input: ArrayBuffer }) => {
  try {
    parentPort!.postMessage({ n: m.n, result: policy.evaluate(m.input, entrypoint)[0]?.result ?? {} });
  } catch (e) {
    parentPort!.postMessage({ n: m.n, error: String((e as Error)?.message ?? e) });
  }
});
