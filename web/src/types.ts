// Types the page's modules share, with no code: modules that are pure functions of objects (the pod's
// story) import them from here rather than from api.ts, which touches the browser.
import type { ObjectMeta } from "kubernetes-types/meta/v1";

/** Any API object; readers cast to the kubernetes-types type of the resource they read. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}
