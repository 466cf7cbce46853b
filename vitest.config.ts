import { defineConfig } from 'vitest/config';

// The AWS SDK's Node-version notice (Node < 22) would repeat in every worker's output; its documented switch
// (aws/aws-sdk-js-v3#7983), inherited by the workers and by the stacks tests spawn.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Two projects: unit tests need nothing running; integration tests share one real Kafka broker and one
// dynalite per run, started by the global setup on free ports (so two runs on one machine do not collide).
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the CPUs: one on this 2-core CI machine, so the unit files ran one at a
    // time before the integration chain (which runs alone, after them, whatever this says). Two halves their wall time.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
