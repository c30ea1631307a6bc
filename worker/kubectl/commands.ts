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

export const COMMANDS: Command[] = [
  createCommand,
  exposeCommand,
  runCommand,
  setCommand,
  explainCommand,
  getCommand,
  deleteCommand,
  rolloutCommand,
  scaleCommand,
  clusterInfoCommand,
  topCommand,
  describeCommand,
  logsCommand,
  execCommand,
  authCommand,
  applyCommand,
  labelCommand,
  annotateCommand,
  apiResourcesCommand,
  apiVersionsCommand,
  configCommand,
  versionCommand,
];
