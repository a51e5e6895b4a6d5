use clap::Parser;

use super::*;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
}

fn parse(args: &[&str]) -> RunArgs {
    Cli::try_parse_from(std::iter::once("acs-push-operator").chain(args.iter().copied()))
        .expect("flags parse")
        .run
}

#[test]
fn lease_timing_defaults_to_15s_with_5s_grace() {
    let args = parse(&[]);
    assert_eq!(
        args.lease_timing(),
        Ok(LeaseTiming {
            duration_secs: 15,
            grace_secs: 5
        })
    );
}

#[test]
fn lease_flags_take_go_durations() {
    let args = parse(&["--lease-duration", "1m", "--lease-grace", "10s"]);
    assert_eq!(
        args.lease_timing(),
        Ok(LeaseTiming {
            duration_secs: 60,
            grace_secs: 10
        })
    );
}

#[test]
fn lease_timing_refuses_what_leader_election_cannot_use() {
    let secs = Duration::from_secs;
    let cases = [
        (secs(0), secs(5), ConfigError::LeaseDurationZero),
        (secs(15), secs(0), ConfigError::LeaseGraceZero),
        (
            secs(15),
            secs(15),
            ConfigError::GraceNotBelowDuration {
                grace: secs(15),
                duration: secs(15),
            },
        ),
        (
            secs(10),
            secs(20),
            ConfigError::GraceNotBelowDuration {
                grace: secs(20),
                duration: secs(10),
            },
        ),
        (
            Duration::from_millis(15_500),
            secs(5),
            ConfigError::FractionalSeconds {
                flag: "lease-duration",
                value: Duration::from_millis(15_500),
            },
        ),
    ];
    for (duration, grace, expected) in cases {
        assert_eq!(lease_timing(duration, grace), Err(expected));
    }
}

#[test]
fn the_refusal_names_both_flags() {
    let message = lease_timing(Duration::from_secs(5), Duration::from_secs(5))
        .unwrap_err()
        .to_string();
    assert!(message.contains("--lease-grace"), "{message}");
    assert!(message.contains("--lease-duration"), "{message}");
}
