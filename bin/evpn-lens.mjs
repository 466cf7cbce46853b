#!/usr/bin/env node
// The `evpn-lens` CLI: runs the TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/cli/main.ts');
const code = await main(process.argv);
if (code !== 0) process.exit(code);
