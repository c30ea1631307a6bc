// The simulated container runtime. Nothing runs: an image's behaviour is a pure function of its
// reference, command/args, environment, files and start time (process.ts), so the kubelet can ask
// when a container exits, what it serves and what it wrote without simulating it tick by tick.
//
// Implemented: the image catalog (images.ts, per-family behaviour in images/), reference parsing
// like a registry (image-ref.ts), a POSIX-shell subset with core utilities (shell/), process models
// (exit, listeners with HTTP answers, output lines, file effects, SIGTERM handling, memory and OOM),
// layered filesystems (fs.ts: image files, writable layer, mounted volumes), tar for `kubectl cp`.
// Network calls between containers go through the `network` hook wget and curl take.
export { CATALOG, pullDurationMs, resolveImage, type CatalogImage, type ResolvedImage } from "./images";
export { parseImageRef, type ImageRef } from "./image-ref";
export { containerArgv, runCommand, runProcess, type CommandResult } from "./process";
export { layeredFs, withEffects, type Mount } from "./fs";
export type * from "./types";
