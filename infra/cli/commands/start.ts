/** `evpn-lens start`: the whole local stack (Kafka, the DynamoDB API, functions, collector, API and dashboard). */
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { type ConfigOverrides, loadConfig, overridesFromEnv } from '../../config/load-config.js';
import { createLogger, LOG_FORMATS, type LogFormat } from '../../local/logger.js';
import { runStack } from '../run-stack.js';

interface StartOptions {
  config?: string;
  apiListen?: string;
  bmpListen?: string;
  dataDir?: string;
  kafkaBrokers?: string;
  dynamodbEndpoint?: string;
  logLevel?: string;
  logFormat?: string;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('start the local stack: Kafka broker, DynamoDB API, functions, BMP collector, API and dashboard')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--api-listen <host:port>', 'API and dashboard address (api.listen)')
    .option('--bmp-listen <host:port>', 'BMP station address (collector.bmp.listen)')
    .option('--data-dir <dir>', 'where the local broker and store keep their data (dataDir)')
    .option('--kafka-brokers <list>', 'use this Kafka cluster instead of starting one (comma separated)')
    .option('--dynamodb-endpoint <url>', 'use this DynamoDB API endpoint instead of the embedded store')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace')
    .option('--log-format <format>', 'pretty (a terminal) | json (otherwise); default: pretty on a terminal, JSON lines when not')
    .action(async (opts: StartOptions) => {
      // Precedence: file < environment < flags.
      const flags: ConfigOverrides = {
        'api.listen': opts.apiListen,
        'collector.bmp.listen': opts.bmpListen,
        dataDir: opts.dataDir,
        'kafka.brokers': opts.kafkaBrokers
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        'dynamodb.endpoint': opts.dynamodbEndpoint,
        logLevel: opts.logLevel,
      };
      const config = loadConfig(opts.config ?? process.env.EVPN_LENS_CONFIG, { ...overridesFromEnv(process.env), ...flags });
      const logger = createLogger(config.logLevel, { format: logFormatOf(opts.logFormat ?? process.env.EVPN_LENS_LOG_FORMAT) });
      process.exitCode = await runStack({ config, logger });
    });
}

export function logFormatOf(value: string | undefined): LogFormat {
  if (value === undefined) return 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new ConfigError(`--log-format: expected one of ${LOG_FORMATS.join(', ')}, got "${value}"`);
  return value as LogFormat;
}
