"""Pure helpers of the benchmark: ARM budget bound, Prometheus text parsing, histogram
quantiles, request-log arithmetic and /proc readers. No network, no clock (except the /proc
readers, which only read files)."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """One ARM token bucket: `burst` requests at once, then `per_second`."""

    burst: float
    per_second: float

    def seconds_for(self, requests: float) -> float:
        """Shortest time in which `requests` can pass a bucket that starts full."""
        return max(0.0, requests - self.burst) / self.per_second


#: ARM's per-subscription limits (azure-api.md §5.3), as the emulator's --throttle models them.
ARM_READS = Bucket(burst=250, per_second=25)
ARM_WRITES = Bucket(burst=200, per_second=10)


@dataclass(frozen=True)
class Bound:
    """The lower bound ARM's budget puts on sending `writes` and `reads` in one subscription."""

    seconds: float
    writes_seconds: float
    reads_seconds: float


def budget_bound(
    writes: float,
    reads: float,
    subscriptions: int = 1,
    write_bucket: Bucket = ARM_WRITES,
    read_bucket: Bucket = ARM_READS,
) -> Bound:
    """Reads and writes drain separate buckets in parallel, so the bound is the larger of the two.
    With several subscriptions the requests are assumed to be spread evenly (the bench assigns
    links round-robin), and each subscription has its own buckets."""
    subs = max(1, subscriptions)
    w = write_bucket.seconds_for(writes / subs)
    r = read_bucket.seconds_for(reads / subs)
    return Bound(seconds=max(w, r), writes_seconds=w, reads_seconds=r)


# --- Prometheus text exposition ---------------------------------------------------------------

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Samples of a text exposition as (name, labels, value); comments skipped."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = dict(_LABEL.findall(m.group(3) or ''))
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        samples.append((m.group(1), labels, value))
    return samples


def histogram_buckets(samples, name: str) -> list[tuple[float, float]]:
    """Cumulative (upper bound, count) pairs of histogram `name`, sorted, `+Inf` last."""
    out = []
    for sample, labels, value in samples:
        if sample == f'{name}_bucket' and 'le' in labels:
            le = math.inf if labels['le'] in ('+Inf', 'Inf') else float(labels['le'])
            out.append((le, value))
    return sorted(out)


@dataclass(frozen=True)
class Quantile:
    """A histogram quantile; `capped` when it falls in the `+Inf` bucket, where only the largest
    finite bound is known (the value is then that bound, a lower bound of the truth)."""

    seconds: float | None
    capped: bool


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> Quantile:
    """Prometheus' histogram_quantile: linear interpolation inside the bucket holding rank q."""
    if not buckets or buckets[-1][1] <= 0:
        return Quantile(None, False)
    total = buckets[-1][1]
    rank = q * total
    lower_le, lower_count = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if math.isinf(le):
                return Quantile(lower_le, True)
            if count == lower_count:
                return Quantile(le, False)
            return Quantile(lower_le + (le - lower_le) * (rank - lower_count) / (count - lower_count), False)
        lower_le, lower_count = le, count
    return Quantile(lower_le, True)


def counter_sum(samples, name: str, **match: str) -> dict[str, float]:
    """Sums of counter `name` keyed by the labels not in `match`, e.g. by status."""
    out: dict[str, float] = {}
    for sample, labels, value in samples:
        if sample != name or any(labels.get(k) != v for k, v in match.items()):
            continue
        rest = ','.join(f'{k}={v}' for k, v in sorted(labels.items()) if k not in match)
        out[rest] = out.get(rest, 0.0) + value
    return out


# --- emulator request log ---------------------------------------------------------------------

#: Entra ID, not ARM: excluded from every ARM figure.
TOKEN_OPERATION = 'Token'


@dataclass(frozen=True)
class ArmCounts:
    """ARM requests seen by the emulator in one window (Token excluded)."""

    reads: int
    writes: int
    throttled: int
    by_operation: dict[str, int]

    @property
    def total(self) -> int:
        return self.reads + self.writes


def arm_counts(log: dict) -> ArmCounts:
    """Reads (GET) and writes (every other method) from `GET /_emulator/requests`. The log counts
    by method and by operation separately, so the Token POSTs are taken off the writes by their
    operation count."""
    by_method = log.get('byMethod', {})
    by_operation = {k: int(v) for k, v in log.get('byOperation', {}).items() if v}
    tokens = by_operation.pop(TOKEN_OPERATION, 0)
    reads = int(by_method.get('GET', 0))
    writes = sum(int(v) for k, v in by_method.items() if k != 'GET') - tokens
    throttled = int(log.get('byStatus', {}).get('429', 0))
    return ArmCounts(reads=reads, writes=writes, throttled=throttled, by_operation=by_operation)


def per_link(counts: dict[str, int], links: int) -> dict[str, float]:
    """Counts divided by the number of links, rounded for reading."""
    return {k: round(v / links, 3) for k, v in sorted(counts.items())}


# --- /proc ------------------------------------------------------------------------------------


def proc_status_bytes(pid: int, field: str) -> int | None:
    """A `kB` field of /proc/PID/status (VmHWM, VmRSS) in bytes; None when the process is gone."""
    try:
        with open(f'/proc/{pid}/status', encoding='ascii') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def parse_cpu_seconds(stat: str, clock_ticks: int) -> float:
    """utime + stime of a /proc/PID/stat line, in seconds. The comm field may hold spaces and
    parentheses, so fields are counted after the last ')'."""
    rest = stat[stat.rindex(')') + 2:].split()
    # rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    utime, stime = int(rest[11]), int(rest[12])
    return (utime + stime) / clock_ticks


def proc_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by `pid`; None when it is gone."""
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as f:
            return parse_cpu_seconds(f.read(), os.sysconf('SC_CLK_TCK'))
    except (FileNotFoundError, ProcessLookupError):
        return None
