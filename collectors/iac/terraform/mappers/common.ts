/** The contract between the loader and the per-family mappers. */
import type { Instance, Obj, Plan } from "../plan.js";
import type { View } from "../view.js";

/** What a mapper returns for one Terraform resource instance. */
export interface Emitted {
  type: string; // CloudFormation type
  properties: Obj;
  /** Appended to the address when one instance yields several resources ("#1"). */
  idSuffix?: string;
}

/** An emitted resource, before it becomes a model Resource. */
export interface Out {
  id: string;
  type: string;
  properties: Obj;
  inst: Instance;
  view: View;
}

export interface Ctx {
  plan: Plan;
  outputs: Out[];
  /**
   * The emitted resource of one of `tfTypes` that `value` designates: a `{"$ref"}` to its
   * address, or a known string equal to one of its attributes `keys`.
   */
  find(tfTypes: readonly string[], value: unknown, keys: string[]): Out | undefined;
  /** Records something a person may want to know (an attachment whose target is not in the plan). */
  note(message: string): void;
}

export type Mapper = (v: View, ctx: Ctx) => Emitted | Emitted[] | undefined;

export interface Family {
  /** Resources that stand on their own. */
  primary?: Record<string, Mapper>;
  /** Resources that attach to a primary one (run after every primary mapper). */
  secondary?: Record<string, Mapper>;
}

/** Appends `item` to the array property `key` of `props` (unless the property is a marker). */
export function pushProp(props: Obj, key: string, ...items: unknown[]): void {
  const cur = props[key];
  if (cur === undefined || cur === null) props[key] = [...items];
  else if (Array.isArray(cur)) cur.push(...items);
}
