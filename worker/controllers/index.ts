// The controller-manager: runs every controller until the cluster settles, committing each
// pass as one batch. Passes are bounded so a controller bug cannot spin forever.
import type { Change } from "../store/object-store";
import { garbageCollector } from "./garbage-collector";
import { namespaceController } from "./namespace";
import type { Controller, ControllerContext } from "./types";

export const CONTROLLERS: Controller[] = [namespaceController, garbageCollector];

const MAX_PASSES = 50;

/** Runs passes until no controller has anything to write; returns the number of passes that wrote. */
export async function reconcile(ctx: ControllerContext, controllers: Controller[] = CONTROLLERS): Promise<number> {
  let passes = 0;
  while (passes < MAX_PASSES) {
    const changes: Change[] = [];
    const seen = new Set<string>();
    for (const controller of controllers) {
      for (const c of controller(ctx)) {
        // Two controllers touching one object in a pass: the first wins, the next pass sees its result.
        const key = `${c.resource}/${c.object.metadata.namespace ?? ""}/${c.object.metadata.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        changes.push(c);
      }
    }
    if (changes.length === 0) break;
    await ctx.store.commit(changes, { rngState: ctx.rng.state });
    passes++;
  }
  return passes;
}
