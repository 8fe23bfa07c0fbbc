/**
 * Finding locations in Terraform source: a rule's pointer into a resource's CloudFormation-shaped
 * properties (`/Properties/SecurityGroupIngress/2/CidrIp`) → the attribute, nested block or list
 * element of the `.tf` file it was mapped from (the `cidr_blocks` element of the second `ingress`
 * block), through what the mappers read (view.ts Trace) and where the loader found each value
 * (source.ts spots).
 */
import type { Resource } from "../../../model/types.js";
import type { Range } from "./hcl.js";
import { spotRange, type SourceInstance } from "./source.js";
import { isObj } from "./plan.js";
import type { Origin, Trace } from "./view.js";

export interface SourceLocation extends Range {
  file: string;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** The last attribute name of a value path (`ingress[1].from_port` → `from_port`). */
function lastName(p: string): string {
  const m = /([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])*$/.exec(p);
  return m ? m[1] : "";
}

function within(p: string, scope: string): boolean {
  return scope === "" || p === scope || p.startsWith(`${scope}.`) || p.startsWith(`${scope}[`);
}

/**
 * Where `pointer` of resource `r` is written: the deepest part of the pointer whose value the
 * mapper read from the source. Undefined when the resource was not traced (then its block line
 * stands).
 */
export function locateProperty(trace: Trace, r: Resource, pointer: string | undefined): SourceLocation | undefined {
  const own = trace.resources.get(r) as SourceInstance | undefined;
  if (!own) return undefined;
  let at: Origin | undefined;
  let inside: string[] | undefined;
  const steps = pointer ? pointer.split("/").slice(1).map(unescapePointer) : [];
  if (steps[0] === "Properties") {
    let node: unknown = r.properties;
    for (const step of steps.slice(1)) {
      if (inside) {
        inside.push(step);
        continue;
      }
      node = Array.isArray(node) ? node[Number(step)] : isObj(node) ? node[step] : undefined;
      if (node === undefined || node === null) break;
      if (typeof node === "object") {
        const o = trace.objects.get(node);
        if (o) {
          at = o;
          if (o.json) inside = [];
        }
        continue;
      }
      // a scalar: the read of that value within the current block, preferring the attribute of the same name
      const scope = at ?? { inst: own, path: "" };
      const reads = (trace.scalars.get(scope.inst) ?? []).filter((x) => x.value === node && within(x.path, scope.path));
      const named = reads.filter((x) => lastName(x.path) === snake(step));
      const hit = named.length > 0 ? named[0] : new Set(reads.map((x) => x.path)).size === 1 ? reads[0] : undefined;
      if (hit) at = { inst: scope.inst, path: hit.path };
      break;
    }
  }
  const inst = (at?.inst ?? own) as SourceInstance;
  const range = at ? spotRange(inst, at.path, inside) : inst.range;
  return range ? { file: inst.file, ...range } : undefined;
}
