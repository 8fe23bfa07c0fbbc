// Compiles every rule under rules/ into one Wasm module with one aggregate entrypoint
// (rampart/main/results), and writes the rules' METADATA into the bundle manifest.
//   build/policy/policy.wasm       the compiled rules
//   build/policy/manifest.json     the bundle manifest; metadata.rampart.rules = METADATA
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureOpa } from "./tools.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const rulesDir = path.join(root, "rules");
const outDir = path.join(root, "build", "policy");

export function collectMetadata(opa) {
  const raw = execFileSync(opa, ["inspect", "-a", "--format", "json", rulesDir], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const inspected = JSON.parse(raw);
  const rules = [];
  for (const a of inspected.annotations ?? []) {
    const segs = a.path.map((p) => p.value);
    // data.rampart.rules.<service>.<rule>, package scope only
    if (segs[1] !== "rampart" || segs[2] !== "rules" || segs.length !== 5) continue;
    if (a.annotations.scope !== "package") continue;
    rules.push({
      package: `${segs[3]}.${segs[4]}`,
      file: path.relative(root, a.location.file.startsWith("/") ? a.location.file : path.join(root, a.location.file)),
      title: a.annotations.title,
      description: a.annotations.description,
      ...a.annotations.custom,
    });
  }
  rules.sort((x, y) => x.id.localeCompare(y.id));
  return rules;
}

function copyRego(src, dst) {
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, ent.name);
    const d = path.join(dst, ent.name);
    if (ent.isDirectory()) {
      fs.mkdirSync(d, { recursive: true });
      copyRego(s, d);
    } else if (ent.name.endsWith(".rego") && !ent.name.endsWith("_test.rego")) {
      fs.copyFileSync(s, d);
    }
  }
}

export function buildPolicy({ quiet = false } = {}) {
  const opa = ensureOpa({ quiet });
  const rules = collectMetadata(opa);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bundle-"));
  try {
    copyRego(rulesDir, stage);
    const manifest = { revision: "", roots: [""], metadata: { rampart: { rules } } };
    fs.writeFileSync(path.join(stage, ".manifest"), JSON.stringify(manifest));
    const bundle = path.join(stage, "..", `${path.basename(stage)}.tar.gz`);
    execFileSync(opa, ["build", "-b", "-t", "wasm", "-e", "rampart/main/results", "-o", bundle, stage], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    execFileSync("tar", ["-xzf", bundle, "-C", outDir, "/policy.wasm", "/.manifest"], { stdio: "ignore" });
    fs.renameSync(path.join(outDir, ".manifest"), path.join(outDir, "manifest.json"));
    fs.rmSync(bundle, { force: true });
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  if (!quiet) console.error(`rampart: compiled ${rules.length} rules into build/policy/policy.wasm`);
  return rules;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildPolicy();
  } catch (e) {
    console.error(`rampart: policy build failed: ${e.message}`);
    process.exit(1);
  }
}
