// `opa test` with coverage over rules/, failing below the coverage floor.
import { spawnSync } from "node:child_process";

export const COVERAGE_FLOOR = 90;

/** Load only Rego: the rules folder also holds examples YAML, which opa would read as data. */
export const OPA_LOAD = ["--ignore", "*.yaml", "--ignore", "*.md"];

export function runRegoTests(opa) {
  const r = spawnSync(opa, ["test", "--coverage", "--format", "json", ...OPA_LOAD, "rules"], {
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  // With --coverage, opa prints a coverage report (JSON) and exits non-zero on failure.
  if (r.status !== 0) {
    // Re-run verbosely to show which tests failed.
    spawnSync(opa, ["test", ...OPA_LOAD, "rules"], { stdio: "inherit" });
    return false;
  }
  const report = JSON.parse(r.stdout);
  const pct = report.coverage ?? 0;
  const files = Object.entries(report.files ?? {})
    .filter(([f]) => !f.endsWith("_test.rego"))
    .map(([f, v]) => [f, v.coverage ?? 0])
    .sort((a, b) => a[1] - b[1]);
  const low = files.filter(([, c]) => c < COVERAGE_FLOOR);
  const tests = spawnSync(opa, ["test", ...OPA_LOAD, "rules"], { encoding: "utf8" });
  process.stdout.write(
    tests.stdout
      .split("\n")
      .filter((l) => /^PASS|^FAIL|^-+$|^$/.test(l) === false || /PASS:|FAIL:/.test(l))
      .join("\n"),
  );
  console.log(`\nRego coverage: ${pct.toFixed(1)}% over ${files.length} files (floor ${COVERAGE_FLOOR}%)`);
  for (const [f, c] of low) console.log(`  below floor: ${f} ${c.toFixed(1)}%`);
  if (pct < COVERAGE_FLOOR) {
    console.error(`Rego coverage ${pct.toFixed(1)}% is below ${COVERAGE_FLOOR}%`);
    return false;
  }
  return true;
}
