/**
 * Runs the CLI in this process: `run(argv)` of cli/main.ts (the sources, not dist/), with the
 * environment, working directory, stdout and stderr of one command line. It saves the start-up
 * of a spawned node (module load, Wasm compile) per command; the tests that still spawn
 * bin/rampart.js keep the real entry point and dist/ covered.
 *
 * For the duration of a call: process.env is exactly `{ ...base, NO_COLOR: "1", ...env }`
 * (base: this process's environment, or `replaceEnv`), the working directory is `cwd`, and
 * everything written to process.stdout / process.stderr is captured instead of shown, and
 * stdin, stdout and stderr are not terminals (as for a spawned CLI with pipes: no colour, no
 * progress line, no confirmation prompt); everything is restored afterwards. Calls never overlap: a call made while another runs
 * waits for it (the process-wide state above belongs to one command at a time).
 * Needs vitest's "forks" pool (process.chdir is not allowed in worker threads).
 */
import { repoRoot } from "../../model/paths.js";
import { run } from "../../cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Variables set on top of the base environment. */
  env?: Record<string, string>;
  /** The base environment instead of this process's (e.g. one without AWS_*). */
  replaceEnv?: Record<string, string>;
}

type Write = typeof process.stdout.write;

let queue: Promise<unknown> = Promise.resolve();

/** Runs `rampart <args>` in-process; resolves to its exit code and output. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
  const next = queue.then(() => runOnce(args, opts));
  queue = next.catch(() => undefined);
  return next;
}

function setEnv(target: NodeJS.ProcessEnv, values: Record<string, string | undefined>): void {
  for (const k of Object.keys(target)) if (!(k in values)) delete target[k];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete target[k];
    else target[k] = v;
  }
}

/** Makes `stream.isTTY` false until the returned function restores it. */
function notATerminal(stream: NodeJS.ReadStream | NodeJS.WriteStream): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, "isTTY");
  Object.defineProperty(stream, "isTTY", { value: false, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(stream, "isTTY", own);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

function capture(stream: NodeJS.WriteStream, sink: (s: string) => void): () => void {
  const original = stream.write;
  stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    sink(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  }) as Write;
  return () => {
    stream.write = original;
  };
}

async function runOnce(args: string[], opts: RunOptions): Promise<CliRun> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedExitCode = process.exitCode;
  let stdout = "";
  let stderr = "";
  setEnv(process.env, { ...(opts.replaceEnv ?? savedEnv), NO_COLOR: "1", ...opts.env });
  process.chdir(opts.cwd ?? repoRoot);
  const restoreOut = capture(process.stdout, (s) => (stdout += s));
  const restoreErr = capture(process.stderr, (s) => (stderr += s));
  const restoreTty = [process.stdin, process.stdout, process.stderr].map(notATerminal);
  try {
    process.exitCode = undefined;
    const code = await run(args);
    return { code, stdout, stderr };
  } finally {
    for (const restore of restoreTty) restore();
    restoreOut();
    restoreErr();
    process.chdir(savedCwd);
    setEnv(process.env, savedEnv);
    process.exitCode = savedExitCode;
  }
}
