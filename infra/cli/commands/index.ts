/** Every subcommand of `evpn-lens`; later issues add theirs here. */
import type { Command } from 'commander';
import { register as registerStart } from './start.js';
import { register as registerConfig } from './config.js';

export function registerCommands(program: Command): void {
  registerStart(program);
  registerConfig(program);
}
