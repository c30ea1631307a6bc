// The controller-manager: every controller, in a fixed order, run in passes until the cluster settles.
import { garbageCollector } from "./garbage-collector";
import { namespaceController } from "./namespace";
import type { Controller } from "./types";

export const CONTROLLERS: Controller[] = [namespaceController, garbageCollector];
