/**
 * What the configuration must hold to run on AWS, beyond what it must hold locally, checked before anything is
 * synthesized: a bad value stops the synthesis naming its key, instead of a template that fails (or quietly does
 * nothing) at deploy time.
 */
import { ConfigError } from '../config/errors.js';
import { formatHostPort } from '../config/host-port.js';
import { isLoopback } from '../config/loopback.js';
import type { Config } from '../config/schema.js';

/**
 * Names built from the table prefix: Lambda functions and ECS services take [a-zA-Z0-9-_], SQS queues and SNS topics
 * [a-zA-Z0-9_-] (80 and 256 characters); DynamoDB's '.' is accepted by none of them.
 */
const NAME_PREFIX = /^[A-Za-z0-9_-]{0,32}$/;

export function checkDeployable(cfg: Config, bmpPort: number): void {
  const prefix = cfg.dynamodb.tablePrefix;
  if (!NAME_PREFIX.test(prefix))
    throw new ConfigError(
      `dynamodb.tablePrefix "${prefix}": on AWS it names functions, queues and services too: letters, digits, '-' and '_' only, at most 32`,
    );
  const listen = cfg.collector.bmp.listen;
  // The NLB and its health checks reach the task on its own address: a loopback listener gets no session.
  if (isLoopback(listen.host))
    throw new ConfigError(`collector.bmp.listen ${formatHostPort(listen)} is a loopback address: on Fargate listen on 0.0.0.0:${bmpPort}`);
  if (listen.port !== bmpPort)
    throw new ConfigError(`collector.bmp.listen ${formatHostPort(listen)}: the task and its load balancer take BMP on port ${bmpPort}`);
  // The gnmic input runs in the local stack and a standalone collector. The deployed collector has no grant on gnmic's
  // topic and group, and its tasks would divide one device's records among themselves (gnmic's records that carry
  // several targets have no key): refused here rather than deployed to read nothing.
  if (cfg.collector.gnmic.enabled)
    throw new ConfigError(
      'collector.gnmic.enabled: the gnmic input is not deployed on AWS yet (local stack and standalone collector only); turn it off for `cdk synth`',
    );
}
