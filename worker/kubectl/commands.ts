// Every command this kubectl knows.
import type { Command } from "./command";
import { applyCommand } from "./cmd/apply";
import { createCommand } from "./cmd/create";
import { deleteCommand } from "./cmd/delete";
import { describeCommand } from "./cmd/describe";
import { getCommand } from "./cmd/get";
import { apiResourcesCommand, apiVersionsCommand, authCommand, clusterInfoCommand, configCommand, versionCommand } from "./cmd/info";
import { annotateCommand, exposeCommand, labelCommand, runCommand, scaleCommand, setCommand } from "./cmd/modify";
import { rolloutCommand } from "./cmd/rollout";
import { execCommand, logsCommand, topCommand } from "./cmd/pods";
import { explainCommand } from "./cmd/explain";
import { editCommand } from "./cmd/edit";
import { replaceCommand } from "./cmd/replace";
import { waitCommand } from "./cmd/wait";
import { autoscaleCommand } from "./cmd/autoscale";
import { drainCommand } from "./cmd/drain";
import { cordon, patchCommand, taintCommand, uncordon } from "./cmd/nodes";

export const COMMANDS: Command[] = [
  createCommand,
  exposeCommand,
  runCommand,
  setCommand,
  explainCommand,
  getCommand,
  editCommand,
  replaceCommand,
  waitCommand,
  autoscaleCommand,
  deleteCommand,
  rolloutCommand,
  scaleCommand,
  clusterInfoCommand,
  topCommand,
  cordon,
  uncordon,
  drainCommand,
  taintCommand,
  describeCommand,
  logsCommand,
  execCommand,
  authCommand,
  applyCommand,
  patchCommand,
  labelCommand,
  annotateCommand,
  apiResourcesCommand,
  apiVersionsCommand,
  configCommand,
  versionCommand,
];
