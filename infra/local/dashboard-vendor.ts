/**
 * The libraries the dashboard loads, from the installed npm packages: uPlot (the fabric page's charts) at
 * /vendor/uplot/uPlot.esm.js and uPlot.min.css. A deployment that hosts dashboard/ elsewhere copies these files to
 * the same paths.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

export const DASHBOARD_VENDOR_DIRS: Record<string, string> = {
  '/vendor/uplot/': dirname(require.resolve('uplot/dist/uPlot.esm.js')),
};
