/** `evpn-lens config check FILE`: validates a configuration file and prints the effective configuration. */
import type { Command } from 'commander';
import { loadConfig, overridesFromEnv } from '../../config/load-config.js';

export function register(program: Command): void {
  const config = program.command('config').description('configuration helpers');
  config
    .command('check')
    .argument('<file>', 'YAML configuration file')
    .option('--json', 'print the effective configuration as JSON')
    .description('validate a configuration file (exit code 2 when invalid)')
    .action((file: string, opts: { json?: boolean }) => {
      const cfg = loadConfig(file, overridesFromEnv(process.env));
      if (opts.json) process.stdout.write(`${JSON.stringify(cfg, null, 2)}\n`);
      else process.stdout.write(`${file}: ok (${cfg.fabrics.length} fabrics)\n`);
    });
}
