// The controller-manager: every controller, in a fixed order, run in passes until the cluster settles.
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
import type { Controller } from "./types";

export const CONTROLLERS: Controller[] = [namespaceController, serviceAccountController, rootCaPublisher, nodeLeaseController, eventTtlController, garbageCollector, deploymentController, replicaSetController, replicationControllerController, daemonSetController, statefulSetController, cronJobController, jobController, ttlAfterFinishedController, podGc];
