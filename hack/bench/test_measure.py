"""Unit tests of the benchmark's arithmetic: `python3 -m unittest discover hack/bench`."""

import math
import unittest

import azure_fixture as azure
import measure


class BudgetBound(unittest.TestCase):
    def test_writes_and_reads_drain_in_parallel(self):
        b = measure.budget_bound(writes=4200, reads=1000)
        self.assertEqual(b.writes_seconds, 400.0)  # (4200 - 200) / 10
        self.assertEqual(b.reads_seconds, 30.0)  # (1000 - 250) / 25
        self.assertEqual(b.seconds, 400.0)

    def test_within_the_burst_is_free(self):
        self.assertEqual(measure.budget_bound(writes=200, reads=250).seconds, 0.0)

    def test_subscriptions_split_the_requests(self):
        self.assertEqual(measure.budget_bound(writes=4200, reads=0, subscriptions=2).seconds, 190.0)  # (2100 - 200) / 10


class Prometheus(unittest.TestCase):
    TEXT = '\n'.join([
        '# HELP acspush_reconcile_duration_seconds Duration of one reconciliation',
        'acspush_reconcile_duration_seconds_sum 12.5',
        'acspush_reconcile_duration_seconds_count 100',
        'acspush_reconcile_duration_seconds_bucket{le="0.1"} 50',
        'acspush_reconcile_duration_seconds_bucket{le="1.0"} 90',
        'acspush_reconcile_duration_seconds_bucket{le="+Inf"} 100',
        'acspush_arm_requests_total{operation="NotificationHubs_Get",status="200"} 7',
        'acspush_arm_requests_total{operation="NotificationHubs_Get",status="429"} 2',
        'acspush_arm_requests_total{operation="NotificationHubs_ListKeys",status="429"} 1',
    ])

    def test_histogram_quantiles_interpolate_and_cap(self):
        buckets = measure.histogram_buckets(measure.parse_prometheus(self.TEXT),
                                            'acspush_reconcile_duration_seconds')
        self.assertEqual(buckets[-1], (math.inf, 100.0))
        self.assertAlmostEqual(measure.histogram_quantile(0.5, buckets).seconds, 0.1)
        self.assertAlmostEqual(measure.histogram_quantile(0.7, buckets).seconds, 0.55)
        p99 = measure.histogram_quantile(0.99, buckets)
        self.assertEqual((p99.seconds, p99.capped), (1.0, True))
        self.assertIsNone(measure.histogram_quantile(0.5, []).seconds)

    def test_counters_sum_by_remaining_labels(self):
        samples = measure.parse_prometheus(self.TEXT)
        by_status = measure.counter_sum(samples, 'acspush_arm_requests_total',
                                        operation='NotificationHubs_Get')
        self.assertEqual(by_status, {'status=200': 7.0, 'status=429': 2.0})


class RequestLog(unittest.TestCase):
    def test_token_posts_are_not_arm_writes(self):
        counts = measure.arm_counts({
            'byOperation': {'Token': 2, 'NotificationHubs_Get': 10, 'NotificationHubs_ListKeys': 3,
                            'CommunicationServices_Get': 0},
            'byMethod': {'GET': 10, 'POST': 5},
            'byStatus': {'200': 14, '429': 1},
        })
        self.assertEqual((counts.reads, counts.writes, counts.throttled), (10, 3, 1))
        self.assertNotIn('Token', counts.by_operation)
        self.assertNotIn('CommunicationServices_Get', counts.by_operation)

    def test_cpu_seconds_skip_a_comm_with_spaces(self):
        stat = '42 (tokio (worker) 1) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 0'
        self.assertEqual(measure.parse_cpu_seconds(stat, 100), 4.0)


class Layout(unittest.TestCase):
    def test_links_stay_in_their_subscription_and_spread_over_hubs(self):
        layout = azure.Layout(links=40, hubs=4, subscriptions=2)
        hubs = set()
        for i in range(40):
            _, acs, hub = layout.link(i)
            self.assertEqual(acs.split('/')[2], hub.split('/')[2], i)
            hubs.add(hub)
        self.assertEqual(len(hubs), 4)
        # Neighbouring links use different hubs.
        self.assertNotEqual(layout.link(0)[2], layout.link(2)[2])

    def test_seed_has_every_hub_and_acs_resource(self):
        seed = azure.seed(azure.Layout(links=250, hubs=201, subscriptions=1))
        ids = [r['id'] for r in seed['resources']]
        self.assertEqual(sum('/notificationHubs/' in i for i in ids), 201)
        self.assertEqual(sum('/communicationServices/' in i for i in ids), 250)
        self.assertEqual(sum(i.endswith(('ns0', 'ns1', 'ns2')) for i in ids), 3)


if __name__ == '__main__':
    unittest.main()
