import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = resolve(import.meta.dirname, '../../../deploy/prometheus');
const rulesFile = join(dir, 'evpn-lens-rules.yml');
const runbooks = readFileSync(resolve(import.meta.dirname, '../../../docs/runbooks.md'), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

// The Prometheus rules file, checked and unit-tested by promtool from Debian's prometheus package.
describe('deploy/prometheus rules', () => {
  it('pass promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('fire on the series of promtool test rules, every one of them', () => {
    const tests = parse(readFileSync(join(dir, 'evpn-lens-rules.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual(rules.map((r) => r.alert).sort());
    const r = spawnSync('promtool', ['test', 'rules', 'evpn-lens-rules.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('give each rule a severity, a summary and a runbook that exists; only instant conditions go without `for:`', () => {
    for (const r of rules) {
      expect(['warning', 'critical'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.runbook_url, r.alert).toBe(`docs/runbooks.md#${r.alert.toLowerCase()}`);
      expect(runbooks, r.alert).toContain(`## ${r.alert}\n`);
      // Counters that grew (dropped events, dead letters, refusals) page at once; levels must hold for a while.
      if (!/^increase\(/.test(r.expr)) expect(r.for, r.alert).toMatch(/^\d+m$/);
    }
  });
});
