use std::collections::BTreeSet;

use super::*;

const DRAWS: usize = 200;

fn draws(attempt: u32) -> Vec<Duration> {
    (0..DRAWS).map(|_| backoff(attempt)).collect()
}

fn mean_secs(values: &[Duration]) -> f64 {
    values.iter().map(Duration::as_secs_f64).sum::<f64>() / values.len() as f64
}

#[test]
fn the_base_doubles_from_5s_and_caps_at_5min() {
    let secs = |s| Duration::from_secs(s);
    let table = [
        (0, secs(5)),
        (1, secs(5)),
        (2, secs(10)),
        (3, secs(20)),
        (4, secs(40)),
        (5, secs(80)),
        (6, secs(160)),
        (7, secs(300)),
        (50, secs(300)),
        (u32::MAX, secs(300)),
    ];
    for (attempt, expected) in table {
        assert_eq!(backoff_base(attempt), expected, "attempt {attempt}");
    }
}

#[test]
fn every_draw_stays_within_the_jitter_of_its_base_and_above_1s() {
    for attempt in (0..=12).chain([50, u32::MAX]) {
        let base = backoff_base(attempt).as_secs_f64();
        for wait in draws(attempt) {
            let s = wait.as_secs_f64();
            assert!(s >= 1.0, "attempt {attempt}: {wait:?} below 1s");
            assert!(
                s >= base * (1.0 - BACKOFF_JITTER) - 0.001
                    && s <= base * (1.0 + BACKOFF_JITTER) + 0.001,
                "attempt {attempt}: {wait:?} strays from {base}s by more than the jitter"
            );
            assert!(
                s <= BACKOFF_CAP.as_secs_f64() * (1.0 + BACKOFF_JITTER) + 0.001,
                "{wait:?} above the cap plus jitter"
            );
        }
    }
}

#[test]
fn links_failing_together_do_not_retry_in_lockstep() {
    for attempt in 1..=10 {
        let all = draws(attempt);
        let distinct: BTreeSet<Duration> = all.iter().copied().collect();
        // Millisecond resolution over a ±20 % window of at least 5 s: 200 draws almost never
        // collide; half of them distinct is a wide margin.
        assert!(
            distinct.len() > DRAWS / 2,
            "attempt {attempt}: only {} distinct waits in {DRAWS}",
            distinct.len()
        );
        let spread =
            all.iter().max().unwrap().as_secs_f64() - all.iter().min().unwrap().as_secs_f64();
        let base = backoff_base(attempt).as_secs_f64();
        assert!(
            spread > base * BACKOFF_JITTER,
            "attempt {attempt}: waits span only {spread:.3}s around {base}s"
        );
    }
}

#[test]
fn the_wait_grows_on_average_until_the_cap() {
    let means: Vec<f64> = (1..=9).map(|attempt| mean_secs(&draws(attempt))).collect();
    for (i, pair) in means.windows(2).enumerate() {
        let attempt = i as u32 + 1;
        if backoff_base(attempt + 1) > backoff_base(attempt) {
            assert!(
                pair[1] > pair[0] * 1.5,
                "attempt {} waits {:.1}s on average, attempt {attempt} {:.1}s",
                attempt + 1,
                pair[1],
                pair[0]
            );
        }
    }
    let capped = means[means.len() - 1];
    assert!(
        (capped - BACKOFF_CAP.as_secs_f64()).abs() < BACKOFF_CAP.as_secs_f64() * 0.05,
        "capped waits average {capped:.1}s"
    );
}

#[test]
fn throttling_with_retry_after_waits_exactly_that_long() {
    let wait = Duration::from_secs(7);
    let class = ErrorClass::Throttled {
        retry_after: Some(wait),
    };
    assert_eq!(ReconcileError::retry_after_class(class, 3), wait);
}
