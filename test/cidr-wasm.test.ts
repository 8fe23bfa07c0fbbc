// The CIDR helpers of rules/lib run in the Wasm target exactly as in `opa test`: the
// net.* built-ins they use are compiled natively into policy.wasm (net.cidr_is_valid and
// net.cidr_expand are not, and would fail at evaluation), and every spelling of a range
// is that range.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- the build scripts are untyped JavaScript modules
import { findOpa } from "../scripts/tools.mjs";

const require = createRequire(import.meta.url);
const { loadPolicy } = require("@open-policy-agent/opa-wasm") as {
  loadPolicy: (wasm: Buffer) => Promise<{ evaluate(input: unknown, entrypoint?: string): Array<{ result: unknown }> }>;
};

const probe = `package cidrprobe

import data.rampart.lib

any_ipv4[c] := lib.any_ipv4(c) if some c in input.cidrs
any_ipv6[c] := lib.any_ipv6(c) if some c in input.cidrs
any_address[c] := lib.any_address(c) if some c in input.cidrs
within[k] := lib.cidr_within(p[0], p[1]) if { some p in input.pairs; k := concat(" in ", p) }
overlaps[k] := lib.cidr_overlaps(p[0], p[1]) if { some p in input.pairs; k := concat(" ~ ", p) }
result := {"any_ipv4": any_ipv4, "any_ipv6": any_ipv6, "any_address": any_address, "within": within, "overlaps": overlaps}
`;

const cidrs = [
  "0.0.0.0/0",
  "0.0.0.0/00",
  "10.0.0.1/0",
  "0.0.0.0/1",
  "10.0.0.0/8",
  "::/0",
  "::0/0",
  "0:0:0:0:0:0:0:0/0",
  "0000:0000::/0",
  "2001:db8::/0",
  "::/1",
  "8000::/1",
  "nonsense",
];
const pairs = [
  ["10.1.0.0/16", "10.0.0.0/8"],
  ["10.0.0.0/8", "10.1.0.0/16"],
  ["10.1.2.3/16", "10.0.0.0/8"],
  ["10.0.0.0/8", "10.255.0.0/16"],
  ["192.168.0.0/16", "10.0.0.0/8"],
  ["2001:db8:0:0::/64", "2001:DB8::/32"],
  ["2001:db8::/32", "2001:db8:1::/48"],
  ["::/0", "0.0.0.0/0"],
];

let policy: Awaited<ReturnType<typeof loadPolicy>>;
beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-cidr-"));
  fs.writeFileSync(path.join(dir, "probe.rego"), probe);
  fs.copyFileSync(path.join(__dirname, "..", "rules", "lib", "lib.rego"), path.join(dir, "lib.rego"));
  execFileSync(findOpa(), ["build", "-t", "wasm", "-e", "cidrprobe/result", "-o", path.join(dir, "b.tar.gz"), dir], { stdio: "pipe" });
  execFileSync("tar", ["xzf", "b.tar.gz", "/policy.wasm"], { cwd: dir, stdio: "pipe" });
  return loadPolicy(fs.readFileSync(path.join(dir, "policy.wasm"))).then((p) => {
    policy = p;
    fs.rmSync(dir, { recursive: true, force: true });
  });
}, 60_000);

const trueKeys = (m: Record<string, boolean>) =>
  Object.entries(m)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .sort();

describe("rules/lib CIDR helpers in the Wasm target", () => {
  it("recognises every spelling of the whole IPv4 and IPv6 space, and nothing narrower", () => {
    const r = policy.evaluate({ cidrs, pairs: [] }, "cidrprobe/result")[0].result as Record<string, Record<string, boolean>>;
    expect(trueKeys(r.any_ipv4)).toEqual(["0.0.0.0/0", "0.0.0.0/00", "10.0.0.1/0"]);
    expect(trueKeys(r.any_ipv6)).toEqual(["0000:0000::/0", "0:0:0:0:0:0:0:0/0", "2001:db8::/0", "::/0", "::0/0"].sort());
    expect(trueKeys(r.any_address)).toEqual([...trueKeys(r.any_ipv4), ...trueKeys(r.any_ipv6)].sort());
  });

  it("compares containment and overlap as ranges, per address family", () => {
    const r = policy.evaluate({ cidrs: [], pairs }, "cidrprobe/result")[0].result as Record<string, Record<string, boolean>>;
    expect(trueKeys(r.within)).toEqual(["10.1.0.0/16 in 10.0.0.0/8", "10.1.2.3/16 in 10.0.0.0/8", "2001:db8:0:0::/64 in 2001:DB8::/32"].sort());
    expect(trueKeys(r.overlaps)).toEqual(
      [
        "10.1.0.0/16 ~ 10.0.0.0/8",
        "10.0.0.0/8 ~ 10.1.0.0/16",
        "10.1.2.3/16 ~ 10.0.0.0/8",
        "10.0.0.0/8 ~ 10.255.0.0/16",
        "2001:db8:0:0::/64 ~ 2001:DB8::/32",
        "2001:db8::/32 ~ 2001:db8:1::/48",
      ].sort(),
    );
  });
});
