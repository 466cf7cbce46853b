/** Every subcommand of `evpn-lens`; later issues add theirs here. */
import type { Command } from 'commander';
import { register as registerAlerts } from './alerts.js';
import { register as registerConfig } from './config.js';
import { register as registerDemo } from './demo.js';
import { register as registerFabrics } from './fabrics.js';
import { register as registerGnmi } from './gnmi.js';
import { register as registerHosts } from './hosts.js';
import { register as registerReplay } from './replay.js';
import { register as registerSegments } from './segments.js';
import { register as registerStart } from './start.js';
import { register as registerTail } from './tail.js';
import { register as registerWhere } from './where.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerDemo(program);
  registerConfig(program);
  registerTail(program);
  registerReplay(program);
  registerWhere(program);
  registerAlerts(program);
  registerHosts(program);
  registerFabrics(program);
  registerGnmi(program);
  registerSegments(program);
}
