#!/usr/bin/env bash
# Runs every property test of the operator crate long: PROPTEST_CASES cases per property, enough
# for at least ACS_PUSH_PROPTEST_TOTAL cases in all (default 100000), and prints the case counts.
# CI runs the same properties with proptest's default (256 cases each) in the plain `cargo test`.
#
#   hack/proptest-long.sh              ≥ 100,000 cases in total
#   ACS_PUSH_PROPTEST_TOTAL=1000000 hack/proptest-long.sh
#   PROPTEST_CASES=5000 hack/proptest-long.sh    fixed cases per property
#
# Properties are found, not listed: every `fn` inside a `proptest! { ... }` block of src/ (unit
# tests, `--lib`) and of tests/*.rs (`--test <file>`). A failure prints proptest's minimal input
# and is saved under proptest-regressions/ beside the source, as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL=${ACS_PUSH_PROPTEST_TOTAL:-100000}

# property_names FILE: names of the fns declared inside proptest! blocks of FILE.
property_names() {
	awk '
		/proptest! *\{/ { inside = 1; depth = 0 }
		inside {
			if (match($0, /fn [a-z0-9_]+\(/)) {
				name = substr($0, RSTART + 3, RLENGTH - 4)
				print name
			}
			n = gsub(/\{/, "{"); m = gsub(/\}/, "}")
			depth += n - m
			if (depth <= 0 && n + m > 0) inside = 0
		}
	' "$1"
}

declare -A group_names # cargo target args -> space-separated property names
count=0
while IFS= read -r file; do
	names=$(property_names "$file" | sort -u | tr '\n' ' ')
	[[ -n ${names// /} ]] || continue
	case $file in
	src/*) target="--lib" ;;
	tests/*.rs)
		stem=$(basename "$file" .rs)
		target="--test $stem"
		;;
	*) continue ;;
	esac
	group_names[$target]+="$names"
	count=$((count + $(wc -w <<<"$names")))
done < <(grep -rl --include='*.rs' 'proptest! *{' src tests | sort)

((count > 0)) || {
	echo "no property tests found" >&2
	exit 1
}
CASES=${PROPTEST_CASES:-$(((TOTAL + count - 1) / count))}
printf '==> %d properties x %d cases (target %d in total)\n' "$count" "$CASES" "$TOTAL" >&2

ran_total=0
report=""
for target in "${!group_names[@]}"; do
	read -r -a names <<<"${group_names[$target]}"
	# shellcheck disable=SC2086 # $target is "--lib" or "--test NAME" on purpose
	out=$(PROPTEST_CASES=$CASES cargo test -p acs-push-operator $target -- "${names[@]}" 2>&1) || {
		printf '%s\n' "$out" >&2
		echo "property tests failed ($target)" >&2
		exit 1
	}
	# Count only the tests that are properties (a filter also matches longer names).
	ran=0
	while IFS= read -r line; do
		test_name=${line#test }
		test_name=${test_name%% ...*}
		short=${test_name##*::}
		for n in "${names[@]}"; do
			if [[ $short == "$n" ]]; then
				ran=$((ran + 1))
				report+=$(printf '%8d  %s (%s)' "$CASES" "$test_name" "$target")$'\n'
				break
			fi
		done
	done < <(grep -E '^test .* \.\.\. ok$' <<<"$out")
	ran_total=$((ran_total + ran))
done

printf '%s' "$report" | sort -k2
printf '==> %d properties passed, %d cases in total (%d each)\n' "$ran_total" "$((ran_total * CASES))" "$CASES"
((ran_total == count)) || {
	echo "expected $count properties to run, saw $ran_total" >&2
	exit 1
}
