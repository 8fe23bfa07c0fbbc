import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "./paths.js";

/** rampart's version, from package.json (the one place it is written). */
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
