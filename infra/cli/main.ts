/**
 * `evpn-lens`: the command line of the local stack and of the query API. Each subcommand lives in its own module under
 * commands/ and registers itself on the commander program.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('evpn-lens')
    .description('EVPN-VXLAN fabric telemetry: where is this host, is a MAC flapping, is this fabric healthy')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError) {
      process.stderr.write(`evpn-lens: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`evpn-lens: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly || process.env.EVPN_LENS_CLI_MAIN === '1') {
  main(process.argv).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`evpn-lens: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
