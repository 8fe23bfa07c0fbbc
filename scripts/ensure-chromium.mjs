#!/usr/bin/env node
// Makes sure a Chromium for the HTML report's browser test is at /usr/bin/chromium.
// Present: prints its path, exit 0. Missing and root: `apt-get install -y chromium`.
// Missing otherwise (or the install failed): prints why on stderr, exit 3, and the test skips.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = process.env.RAMPART_CHROMIUM || "/usr/bin/chromium";

function install() {
  const run = (args) =>
    execFileSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 900_000 });
  run(["update"]);
  run(["install", "-y", "--no-install-recommends", "chromium"]);
}

if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root) {
    process.stderr.write(
      `Chromium is not at ${CHROMIUM} and this user is not root, so it cannot be installed here. Install it with \`sudo apt-get install -y chromium\` to run the browser test.\n`,
    );
    process.exit(3);
  }
  try {
    install();
  } catch (e) {
    process.stderr.write(`Chromium is not at ${CHROMIUM} and \`apt-get install -y chromium\` failed: ${e.message}\n`);
    process.exit(3);
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`apt-get installed chromium, but ${CHROMIUM} is still missing.\n`);
    process.exit(3);
  }
}
process.stdout.write(`${CHROMIUM}\n`);
