// What a simulated external provisioner is: the name StorageClasses give it, the identity it
// reports events under, how long creating a volume takes, and what it does to create, delete and
// grow volumes. Which ones run in a sandbox is decided in registry.ts.
import type { KubeObject } from "../../../resources/types";
import type { ControllerContext } from "../../types";

export interface ProvisionRequest {
  pvc: KubeObject;
  sc: KubeObject;
  /** `pvc-<claim uid>`, the name the provisioner library gives every volume. */
  pvName: string;
  /** The node the scheduler chose (WaitForFirstConsumer), if any. */
  node?: KubeObject;
}

/** The volume's own part (source, capacity, affinity, annotations); the library adds the rest. */
export type ProvisionResult = { pv: KubeObject } | { error: string };

export interface Provisioner {
  /** The `provisioner` of the StorageClasses it serves. */
  name: string;
  /** Event source: `<name>_<host>_<uuid>`, as sig-storage-lib-external-provisioner builds it. */
  identity: string;
  /** Virtual time from taking a claim to the volume existing. */
  durationMs: number;
  supportsBlock: boolean;
  provision(ctx: ControllerContext, req: ProvisionRequest): ProvisionResult;
  /** Removes the volume's storage; an error message when it cannot. */
  delete(ctx: ControllerContext, pv: KubeObject, sc: KubeObject | undefined): string | undefined;
  /** The CSI resizer running beside it, if any: whether volumes also need the kubelet to grow them. */
  resizer?: { nodeExpansion: boolean };
}
