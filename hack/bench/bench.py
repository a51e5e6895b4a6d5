#!/usr/bin/env python3
"""Benchmark driver behind hack/bench.sh (Python 3.11 stdlib only).

Given a running control plane (kubeconfig) and release binaries, it seeds azure-emulator with
hubs and ACS resources, runs the operator against it, applies N PushNotificationLinks at once,
and measures time to all-Ready against ARM's budget, ARM requests per link (fresh and in a
resync pass), 429s, the operator's peak RSS, CPU and reconcile durations. Figures are printed and
written as JSON; nothing is asserted."""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import signal
import subprocess
import sys
import time

import azure_fixture as azure
import measure
import procs
import report
from kube import Kube, ReadyWatcher

NAMESPACE = 'acs-push-bench'
HUB_GET = 'NotificationHubs_Get'
CHUNK = 250


def parse_args(argv):
    p = argparse.ArgumentParser(prog='hack/bench.sh', description=__doc__.split('\n\n')[0])
    p.add_argument('--links', type=int, required=True, help='N links to apply')
    p.add_argument('--hubs', type=int, help='K hubs (default N/10, at least 1)')
    p.add_argument('--latency-ms', type=int, default=50, help='emulator latency per request')
    p.add_argument('--concurrency', type=int, default=8, help='operator --concurrency')
    p.add_argument('--subscriptions', type=int, default=1,
                   help='spread links over S subscriptions (each has its own ARM budget)')
    p.add_argument('--propagation-window', default='1s', help='operator --propagation-window')
    p.add_argument('--resync', default='20s', help='operator --resync in the resync phase')
    p.add_argument('--ready-timeout', type=float,
                   help='seconds to wait for all Ready (default max(600, 2N)); a cut-off run is '
                        'reported with complete=false')
    p.add_argument('--skip-resync', action='store_true', help='skip the resync phase')
    p.add_argument('--kubeconfig', required=True)
    p.add_argument('--kubectl', default='kubectl')
    p.add_argument('--operator-bin', required=True)
    p.add_argument('--emulator-bin', required=True)
    p.add_argument('--state', required=True, help='folder for logs, seed and YAML')
    p.add_argument('--out', help='JSON result (default target/bench/bench-N.json)')
    p.add_argument('--label', default='', help='free text stored in the JSON')
    p.add_argument('--operator-env', action='append', default=[], metavar='KEY=VALUE',
                   help='extra environment for the operator only (repeatable), e.g. '
                        'LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 to compare allocators')
    args = p.parse_args(argv)
    args.hubs = args.hubs or max(1, args.links // 10)
    if args.links < 1 or args.hubs < args.subscriptions or args.subscriptions < 1:
        p.error('need N >= 1 and K >= S >= 1')
    args.ready_timeout = args.ready_timeout or max(600.0, 2.0 * args.links)
    args.out = args.out or os.path.join('target', 'bench', f'bench-{args.links}.json')
    return args


def log(msg: str) -> None:
    print(f'[bench {time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


class Operator:
    """One operator process and what it reports about itself."""

    def __init__(self, args, emulator_url: str, ca_file: str, resync: str, name: str):
        self.metrics_port = procs.free_port()
        env = dict(os.environ, KUBECONFIG=args.kubeconfig, AZURE_TENANT_ID=azure.TENANT,
                   AZURE_CLIENT_ID=azure.CLIENT, AZURE_CLIENT_SECRET=azure.CLIENT_SECRET)
        env.update(kv.split('=', 1) for kv in args.operator_env)
        argv = [args.operator_bin, 'run', '--arm-endpoint', emulator_url,
                '--authority-host', emulator_url, '--extra-ca-file', ca_file,
                '--metrics-addr', f'127.0.0.1:{self.metrics_port}', '--log-format', 'json',
                '--propagation-window', args.propagation_window, '--resync', resync,
                '--concurrency', str(args.concurrency)]
        self.proc = procs.Proc(name, argv, args.state, env)
        self.base = f'http://127.0.0.1:{self.metrics_port}'
        procs.wait_until(f'{name} /readyz', lambda: procs.http_ok(f'{self.base}/readyz'), 120, self.proc)

    def metrics(self):
        return measure.parse_prometheus(procs.http_text(f'{self.base}/metrics'))

    def usage(self) -> dict:
        """Peak RSS, current RSS and CPU seconds of the process so far."""
        pid = self.proc.pid
        return {'peak_rss_bytes': measure.proc_status_bytes(pid, 'VmHWM'),
                'rss_bytes': measure.proc_status_bytes(pid, 'VmRSS'),
                'cpu_seconds': measure.proc_cpu_seconds(pid)}

    def summary(self) -> dict:
        """Usage plus the reconcile histogram and ARM counters from /metrics."""
        samples = self.metrics()
        buckets = measure.histogram_buckets(samples, 'acspush_reconcile_duration_seconds')
        p50 = measure.histogram_quantile(0.5, buckets)
        p99 = measure.histogram_quantile(0.99, buckets)
        arm = measure.counter_sum(samples, 'acspush_arm_requests_total')
        return {**self.usage(),
                'reconciles': measure.counter_sum(samples, 'acspush_reconciles_total'),
                'reconcile_errors': measure.counter_sum(samples, 'acspush_reconcile_errors_total'),
                'reconcile_p50_seconds': p50.seconds, 'reconcile_p50_capped': p50.capped,
                'reconcile_p99_seconds': p99.seconds, 'reconcile_p99_capped': p99.capped,
                'arm_429_seen_by_operator': int(sum(v for k, v in arm.items() if 'status=429' in k))}


def apply_links(args, layout) -> float:
    """Creates all links with `kubectl create` on chunked multi-document YAML, 4 in parallel."""
    files = []
    for first in range(0, args.links, CHUNK):
        path = os.path.join(args.state, f'links-{first:05d}.yaml')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(azure.links_yaml(layout, NAMESPACE, first, min(args.links, first + CHUNK)))
        files.append(path)

    def create(path):
        done = subprocess.run([args.kubectl, '--kubeconfig', args.kubeconfig, 'create', '-f', path],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f'kubectl create -f {path} failed: {done.stderr[-500:]}')

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(create, files))
    return time.monotonic() - started


def wait_ready(args, watcher, operator, emulator, t0) -> tuple[bool, list]:
    """Until all N links were seen Ready or the timeout; a progress line every 10 s."""
    timeline = []
    next_report = 0.0
    while True:
        seen, ready, reasons = watcher.snapshot()
        elapsed = time.monotonic() - t0
        if elapsed >= next_report or ready >= args.links:
            counts = measure.arm_counts(emulator.requests())
            usage = operator.usage()
            timeline.append({'t': round(elapsed, 1), 'ready': ready, 'arm_writes': counts.writes,
                             'arm_reads': counts.reads, 'throttled': counts.throttled,
                             'rss_bytes': usage['rss_bytes'], 'cpu_seconds': usage['cpu_seconds']})
            top = ', '.join(f'{k}={v}' for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])[:4])
            log(f't={elapsed:6.0f}s ready {ready}/{args.links} (seen {seen}; {top}) '
                f'ARM writes {counts.writes} reads {counts.reads} 429 {counts.throttled} '
                f'rss {(usage["rss_bytes"] or 0) / 2**20:.1f} MiB')
            next_report = elapsed + 10
        if ready >= args.links:
            return True, timeline
        if elapsed > args.ready_timeout:
            return False, timeline
        if not operator.proc.alive():
            raise RuntimeError(f'operator exited; see {operator.proc.stderr_path}')
        time.sleep(0.5)


def wait_hub_gets(args, emulator, operator, what: str, timeout: float) -> tuple[dict, float]:
    """Until the request log shows N hub GETs since the last reset (one pass over every link)."""
    started = time.monotonic()
    next_report = 0.0
    while True:
        log_json = emulator.requests()
        gets = int(log_json.get('byOperation', {}).get(HUB_GET, 0))
        elapsed = time.monotonic() - started
        if gets >= args.links:
            return log_json, elapsed
        if elapsed > timeout:
            raise RuntimeError(f'{what}: only {gets}/{args.links} hub GETs after {timeout:.0f} s')
        if not operator.proc.alive():
            raise RuntimeError(f'operator exited; see {operator.proc.stderr_path}')
        if elapsed >= next_report:
            log(f'{what}: {gets}/{args.links} hub GETs after {elapsed:.0f} s')
            next_report = elapsed + 10
        time.sleep(1)


def window(counts: measure.ArmCounts, links: int, seconds: float | None = None) -> dict:
    out = {'arm_writes': counts.writes, 'arm_reads': counts.reads, 'throttled': counts.throttled,
           'arm_writes_per_link': round(counts.writes / links, 3),
           'arm_reads_per_link': round(counts.reads / links, 3),
           'by_operation_per_link': measure.per_link(counts.by_operation, links)}
    if seconds is not None:
        out['seconds'] = round(seconds, 1)
    return out


def git_describe() -> str | None:
    """HEAD and whether the operator's sources differ from it (the binary may include edits)."""
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'src', 'emulator/src'],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ('+dirty' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        return None


def run(args) -> dict:
    os.makedirs(args.state, exist_ok=True)
    layout = azure.Layout(args.links, args.hubs, args.subscriptions)
    seed_path = os.path.join(args.state, 'seed.json')
    with open(seed_path, 'w', encoding='utf-8') as f:
        json.dump(azure.seed(layout), f)
    result = {
        'links': args.links, 'hubs': args.hubs, 'subscriptions': args.subscriptions,
        'latency_ms': args.latency_ms, 'concurrency': args.concurrency,
        'propagation_window': args.propagation_window, 'resync': args.resync,
        'label': args.label, 'operator_env': args.operator_env, 'cpus': os.cpu_count(),
        'git': git_describe(),
        # With --no-build the binary may predate HEAD: its build time says which tree it is.
        'operator_binary_built': datetime.datetime.fromtimestamp(
            os.path.getmtime(args.operator_bin), datetime.timezone.utc).isoformat(timespec='seconds'),
        'started_at': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    }
    started = []
    try:
        ca_file = os.path.join(args.state, 'emulator-ca.pem')
        emu_proc = procs.Proc('azure-emulator', [
            args.emulator_bin, '--listen', '127.0.0.1:0', '--ca-cert-out', ca_file,
            '--seed', seed_path, '--throttle', '--latency-ms', str(args.latency_ms)],
            args.state, dict(os.environ, RUST_LOG='warn'))
        started.append(emu_proc)
        url = emu_proc.first_line(120)
        emulator = azure.Emulator(url, ca_file)
        procs.wait_until('azure-emulator health', emulator.health, 30, emu_proc)
        log(f'azure-emulator at {url}: {args.hubs} hubs, {args.links} ACS resources in '
            f'{args.subscriptions} subscription(s), latency {args.latency_ms} ms, ARM throttle on')

        kube = Kube(args.kubeconfig)
        kube.ensure_namespace(NAMESPACE)
        watcher = ReadyWatcher(kube, NAMESPACE)
        watcher.start()

        op = Operator(args, url, ca_file, resync='24h', name='operator-fresh')
        started.append(op.proc)
        # Buckets full and counters at zero when the links arrive.
        result['emulator_throttle'] = emulator.arm_throttle()
        emulator.reset_requests()
        log(f'operator pid {op.proc.pid} (concurrency {args.concurrency}); applying {args.links} links')
        t0 = time.monotonic()
        result['apply_seconds'] = round(apply_links(args, layout), 1)
        log(f'applied in {result["apply_seconds"]} s')
        complete, timeline = wait_ready(args, watcher, op, emulator, t0)
        fresh = measure.arm_counts(emulator.requests())
        result['complete'] = complete
        _, ready, reasons = watcher.snapshot()
        result['ready_links'] = ready
        result['not_ready_by_reason'] = {k: v for k, v in reasons.items() if k != 'Ready'}
        last = watcher.last_ready()
        result['seconds_to_all_ready'] = round(last - t0, 1) if complete and last else None
        bound = measure.budget_bound(fresh.writes, fresh.reads, args.subscriptions)
        result['arm_budget_bound_seconds'] = round(bound.seconds, 1)
        result['arm_budget_bound_writes_seconds'] = round(bound.writes_seconds, 1)
        result['arm_budget_bound_reads_seconds'] = round(bound.reads_seconds, 1)
        result['ratio_to_bound'] = (round(result['seconds_to_all_ready'] / bound.seconds, 3)
                                    if result['seconds_to_all_ready'] and bound.seconds > 0 else None)
        if not complete:
            # A cut-off run still tells whether the operator kept up with the budget so far.
            cutoff = time.monotonic() - t0
            result['elapsed_seconds_at_cutoff'] = round(cutoff, 1)
            result['ratio_elapsed_to_bound_at_cutoff'] = (
                round(cutoff / bound.seconds, 3) if bound.seconds > 0 else None)
        result['arm_requests_per_fresh_link'] = round(fresh.total / max(1, ready), 3)
        result['fresh'] = window(fresh, max(1, ready), time.monotonic() - t0)
        result['fresh']['operator'] = op.summary()
        result['fresh']['timeline'] = timeline
        op.proc.stop()

        if complete and not args.skip_resync:
            emulator.reset_requests()
            emulator.arm_throttle()  # a quiet period would refill ARM's buckets the same way
            op2 = Operator(args, url, ca_file, resync=args.resync, name='operator-resync')
            started.append(op2.proc)
            log(f'resync phase: operator pid {op2.proc.pid} with --resync {args.resync}')
            # A pass reads ~3 times per link at 25/s per subscription; allow three times that.
            pass_timeout = 300 + 3 * (3 * args.links / args.subscriptions / 25)
            restart_log, restart_s = wait_hub_gets(args, emulator, op2, 'restart pass', pass_timeout)
            emulator.reset_requests()
            timer_log, timer_s = wait_hub_gets(args, emulator, op2, 'resync pass', pass_timeout)
            restart = measure.arm_counts(restart_log)
            timer = measure.arm_counts(timer_log)
            result['restart_pass'] = window(restart, args.links, restart_s)
            result['resync_pass'] = window(timer, args.links, timer_s)
            result['resync_pass']['operator'] = op2.summary()
            result['arm_writes_per_link_resync'] = result['resync_pass']['arm_writes_per_link']
            result['arm_reads_per_link_resync'] = result['resync_pass']['arm_reads_per_link']
            op2.proc.stop()
        else:
            result['arm_writes_per_link_resync'] = None
            result['arm_reads_per_link_resync'] = None

        phases = [result['fresh']['operator']] + (
            [result['resync_pass']['operator']] if 'resync_pass' in result else [])
        windows = [result['fresh']] + [result[k] for k in ('restart_pass', 'resync_pass') if k in result]
        result['throttled_responses'] = max(sum(w['throttled'] for w in windows),
                                            sum(p['arm_429_seen_by_operator'] for p in phases))
        result['peak_rss_bytes'] = max(p['peak_rss_bytes'] or 0 for p in phases)
        result['cpu_seconds'] = round(sum(p['cpu_seconds'] or 0 for p in phases), 2)
        result['reconcile_p50_seconds'] = result['fresh']['operator']['reconcile_p50_seconds']
        result['reconcile_p99_seconds'] = result['fresh']['operator']['reconcile_p99_seconds']
        result['arm_requests_per_fresh_link_by_operation'] = result['fresh']['by_operation_per_link']
        result['watch_errors'] = watcher.errors
        watcher.stop()
        return result
    finally:
        for p in reversed(started):
            p.stop()


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    # SIGTERM (hack/bench.sh's trap) unwinds through run()'s finally, which stops the children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(args)
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2, sort_keys=False)
        f.write('\n')
    print(report.table(result))
    log(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
