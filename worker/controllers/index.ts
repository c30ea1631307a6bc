// Every control loop of the cluster, in a fixed order, run in passes until the cluster settles:
// the controller-manager's controllers, then the scheduler, then the kubelets.
import { cronJobController } from "./cronjob";
import { daemonSetController } from "./daemonset";
import { deploymentController } from "./deployment";
import { garbageCollector } from "./garbage-collector";
import { jobController } from "./job";
import { namespaceController } from "./namespace";
import { podGc } from "./podgc";
import { statefulSetController } from "./statefulset";
import { eventTtlController } from "./event-ttl";
import { nodeLeaseController } from "./node-lease";
import { rootCaPublisher } from "./root-ca-publisher";
import { serviceAccountController } from "./serviceaccount";
import { replicaSetController, replicationControllerController } from "./replicaset";
import { ttlAfterFinishedController } from "./ttl-after-finished";
import { disruptionController } from "./disruption";
import { endpointsController } from "./endpoints";
import { endpointSliceController } from "./endpointslice";
import { endpointSliceMirroringController } from "./endpointslice-mirroring";
import { serviceLoadBalancerController } from "./service-lb";
import { ingressStatusController } from "./ingress";
import { hpaController } from "./hpa";
import { nodeLifecycleController } from "./node-lifecycle";
import { nodeRegistrationController } from "./node-registration";
import { taintEvictionController } from "./taint-eviction";
import { VOLUME_CONTROLLERS } from "./volume";
import { schedulerController } from "../scheduler";
import { kubeletController } from "../kubelet";
import type { Controller } from "./types";

/** kube-controller-manager's loops. */
export const CONTROLLER_MANAGER: Controller[] = [
  namespaceController,
  serviceAccountController,
  rootCaPublisher,
  nodeLeaseController,
  eventTtlController,
  garbageCollector,
  deploymentController,
  replicaSetController,
  replicationControllerController,
  daemonSetController,
  statefulSetController,
  cronJobController,
  jobController,
  ttlAfterFinishedController,
  podGc,
  nodeRegistrationController,
  nodeLifecycleController,
  taintEvictionController,
  disruptionController,
  // The endpoint controllers share the pass's pod index, so they stay next to each other.
  endpointsController,
  endpointSliceController,
  endpointSliceMirroringController,
  serviceLoadBalancerController,
  // After the balancer: an Ingress's address is its controller Service's.
  ingressStatusController,
  hpaController,
  ...VOLUME_CONTROLLERS,
];

export const CONTROLLERS: Controller[] = [...CONTROLLER_MANAGER, schedulerController, kubeletController];
