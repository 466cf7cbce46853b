#!/usr/bin/env node
// The `evpn-lens` CLI: runs the TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

// The AWS SDK prints a multi-line notice on every start under Node < 22 (Lambda runs 22+). This is its documented
// switch (aws/aws-sdk-js-v3#7983); an operator who wants the notice sets the variable to false.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../infra/cli/main.ts');
const code = await main(process.argv);
if (code !== 0) process.exit(code);
