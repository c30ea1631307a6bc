// Patch engines behind PATCH requests: JSON patch, merge patch, strategic merge patch and server-side apply.
export { applyJsonPatch, applyMergePatch, MAX_JSON_PATCH_OPERATIONS } from "./json-patch";
export { applyStrategicMergePatch, shapeProblem } from "./strategic";
export { serverSideApply, recordUpdateManager, type ApplyOptions, type UpdateManagerOptions } from "./managed-fields";
export { FieldSet, pathString } from "./fieldset";
export { rootTypeFor, fieldSpec, type FieldSpec } from "./merge-keys";
