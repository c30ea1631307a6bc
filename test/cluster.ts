// Controller-test clusters on the test D1 inside workerd.
import { env } from "cloudflare:test";
import type { Controller } from "../worker/controllers/types";
import type { NodeOptions } from "../worker/sandbox/bootstrap";
import { TestCluster as Core } from "./cluster-core";

export { START, typeOf } from "./cluster-core";

export type TestCluster = Core;

export const TestCluster = {
  create(opts: { nodes?: NodeOptions[]; controllers?: Controller[]; bootstrap?: boolean } = {}): Promise<Core> {
    return Core.create({ ...opts, db: env.DB });
  },
};
