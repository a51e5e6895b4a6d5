"""The table hack/bench.sh prints. Targets are shown for reading, never asserted."""

from __future__ import annotations

MIB = 2**20


def _num(value, digits=1, unit=''):
    if value is None:
        return 'n/a'
    if isinstance(value, float):
        return f'{value:.{digits}f}{unit}'
    return f'{value}{unit}'


def _quantile(op: dict, key: str) -> str:
    value = op.get(f'{key}_seconds')
    if value is None:
        return 'n/a'
    return f'{">" if op.get(f"{key}_capped") else ""}{value:.3f} s'


def _targets(links: int) -> dict[str, str]:
    if links >= 10_000:
        return {'peak_rss': '<= 64 MiB', 'throttled': '0'}
    if links >= 1_000:
        return {'ratio': '<= 1.2', 'throttled': '0', 'per_link': '<= 6', 'resync_writes': '0',
                'peak_rss': '<= 32 MiB'}
    return {'resync_writes': '0'}


def table(r: dict) -> str:
    t = _targets(r['links'])
    fresh = r['fresh']
    op = fresh['operator']
    rows = [
        ('links / hubs / subscriptions', f'{r["links"]} / {r["hubs"]} / {r["subscriptions"]}', ''),
        ('latency, concurrency', f'{r["latency_ms"]} ms, {r["concurrency"]}', ''),
        ('apply (kubectl create)', _num(r.get('apply_seconds'), unit=' s'), ''),
        ('seconds to all Ready', _num(r['seconds_to_all_ready'], unit=' s')
         if r['complete'] else f'cut off: {r["ready_links"]} Ready', ''),
        ('ARM budget bound', f'{_num(r["arm_budget_bound_seconds"], unit=" s")} (writes '
         f'{_num(r["arm_budget_bound_writes_seconds"])} s, reads {_num(r["arm_budget_bound_reads_seconds"])} s)', ''),
        ('ratio to bound', _num(r['ratio_to_bound'], 3), t.get('ratio', '')),
        ('ARM requests per fresh link', _num(r['arm_requests_per_fresh_link'], 2), t.get('per_link', '')),
        ('  writes / reads per fresh link',
         f'{fresh["arm_writes_per_link"]:.2f} / {fresh["arm_reads_per_link"]:.2f}', ''),
    ]
    for name, value in fresh['by_operation_per_link'].items():
        rows.append((f'    {name}', f'{value:.2f}', ''))
    if r.get('resync_pass'):
        rows += [
            ('resync: ARM writes per link', _num(r['arm_writes_per_link_resync'], 3),
             t.get('resync_writes', '')),
            ('resync: ARM reads per link', _num(r['arm_reads_per_link_resync'], 3), ''),
            ('restart pass: writes / reads per link',
             f'{r["restart_pass"]["arm_writes_per_link"]:.3f} / {r["restart_pass"]["arm_reads_per_link"]:.3f}', ''),
        ]
    else:
        rows.append(('resync pass', 'skipped', t.get('resync_writes', '')))
    rows += [
        ('429 responses', str(r['throttled_responses']), t.get('throttled', '')),
        ('operator peak RSS (VmHWM)', f'{r["peak_rss_bytes"] / MIB:.1f} MiB', t.get('peak_rss', '')),
        ('operator CPU (utime+stime)', f'{r["cpu_seconds"]:.1f} s', ''),
        ('reconcile p50 / p99 (fresh)', f'{_quantile(op, "reconcile_p50")} / {_quantile(op, "reconcile_p99")}', ''),
    ]
    w1 = max(len(a) for a, _, _ in rows)
    w2 = max(len(b) for _, b, _ in rows)
    lines = [f'{"metric":<{w1}}  {"value":<{w2}}  target', '-' * (w1 + w2 + 12)]
    lines += [f'{a:<{w1}}  {b:<{w2}}  {c}'.rstrip() for a, b, c in rows]
    return '\n'.join(lines)
