/**
 * A real Prometheus (Debian's package) scrapes `tessera serve` on its own metrics port
 * (TESSERA_METRICS_PORT), as an operations team runs it: the target is up, a failed admin
 * sign-in shows in Prometheus' own query API as one failure, and `promtool check metrics`
 * accepts what Tessera exposes. The main port does not serve /metrics without a token.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { HttpClient } from './helpers/http.js';
import { freePort, startServerProcess, stopServerProcess, type ServerProcess } from './helpers/server.js';

const hasPrometheus = fs.existsSync('/usr/bin/prometheus') && fs.existsSync('/usr/bin/promtool');

describe('Prometheus scrapes Tessera', {
  skip: hasPrometheus ? false : 'prometheus is not installed (scripts/test-setup.sh installs it)',
  timeout: 240_000,
}, () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let metricsPort: number;
  let prometheusPort: number;

  /** One instant query against Prometheus' HTTP API: the first sample's value, or undefined. */
  const query = async (expr: string): Promise<number | undefined> => {
    const res = await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { result: { value: [number, string] }[] } };
    assert.equal(body.status, 'success', JSON.stringify(body));
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : undefined;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-prometheus-'));
    metricsPort = await freePort();
    prometheusPort = await freePort();
    server = await startServerProcess({ DATA_DIR: path.join(dir, 'data'), TESSERA_METRICS_PORT: String(metricsPort) });
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: tessera',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (d) => {
      prometheusLog += d;
    });
    prometheus.stderr!.on('data', (d) => {
      prometheusLog += d;
    });
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      const killer = setTimeout(() => prometheus!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await stopServerProcess(server);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps /metrics off the main port without a token and names the metrics port at start', async () => {
    const res = await fetch(`http://127.0.0.1:${server!.port}/metrics`);
    assert.equal(res.status, 404);
    assert.match(server!.output(), new RegExp(`Metrics at http://127\\.0\\.0\\.1:${metricsPort}/metrics`));
  });

  it('is scraped by Prometheus, and a failed sign-in appears there as one failure', async () => {
    await eventually(async () => assert.equal(await query('up{job="tessera"}'), 1, 'the target is not up yet'), 'Prometheus scraping Tessera', {
      timeoutMs: 90_000,
    }).catch((err) => {
      throw new Error(`${err.message}\nprometheus said:\n${prometheusLog.slice(-2000)}`);
    });
    const refused = await new HttpClient(`http://127.0.0.1:${server!.port}`).request('POST', '/api/auth/login', {
      email: 'nobody@corp.example',
      password: 'wrong password',
    });
    assert.equal(refused.status, 401);
    await eventually(
      async () => assert.equal(await query('sum(tessera_sign_ins_total{subject="admin",outcome="failure"})'), 1, 'the failure has not reached Prometheus yet'),
      'the failed sign-in in Prometheus',
      { timeoutMs: 60_000 },
    );
    assert.equal(
      await query('sum(tessera_http_requests_total{route="/api/auth/login",method="POST",status="401"})'),
      1,
      'the request is counted under its route pattern',
    );
  });

  it('exposes what promtool check metrics accepts', async () => {
    const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(body, /tessera_http_request_duration_seconds_bucket/);
    const check = spawn('/usr/bin/promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    check.stdout.on('data', (d) => {
      said += d;
    });
    check.stderr.on('data', (d) => {
      said += d;
    });
    check.stdin.end(body);
    const code = await new Promise<number | null>((r) => check.on('exit', r));
    assert.equal(code, 0, `promtool check metrics refused the exposition:\n${said}`);
  });
});
