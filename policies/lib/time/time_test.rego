package lib.time_test

import rego.v1

import data.lib.time

test_ns_parses_rfc3339 if {
	time.ns("1970-01-01T00:01:00Z") == 60000000000
	time.ns("2026-01-01T01:00:00+01:00") == time.ns("2026-01-01T00:00:00Z")
}

test_ns_of_null_is_undefined if {
	not time.ns(null)
}

test_durations if {
	time.minutes(2) == 120000000000
	time.hours(1) == time.minutes(60)
	time.days(1) == time.hours(24)
}

test_within if {
	time.within("2026-01-01T00:00:00Z", "2026-01-01T10:00:00Z", time.hours(10))
	not time.within("2026-01-01T00:00:00Z", "2026-01-01T10:00:01Z", time.hours(10))
	not time.within("2026-01-01T00:00:00Z", "2025-12-31T23:00:00Z", time.hours(10))
	not time.within("2026-01-01T00:00:00Z", null, time.hours(10))
}

test_overdue if {
	now := time.ns("2026-01-03T00:00:00Z")
	time.overdue("2026-01-01T00:00:00Z", null, time.hours(24), now)
	time.overdue("2026-01-01T00:00:00Z", "2026-01-02T01:00:00Z", time.hours(24), now)
	not time.overdue("2026-01-01T00:00:00Z", "2026-01-01T05:00:00Z", time.hours(24), now)
	not time.overdue("2026-01-02T12:00:00Z", null, time.hours(24), now)
}

test_judgeable if {
	now := time.ns("2026-01-03T00:00:00Z")
	time.judgeable("2026-01-02T12:00:00Z", "2026-01-02T13:00:00Z", time.hours(24), now)
	time.judgeable("2026-01-01T00:00:00Z", null, time.hours(24), now)
	not time.judgeable("2026-01-02T12:00:00Z", null, time.hours(24), now)
}

test_hours_between if {
	time.hours_between("2026-01-01T00:00:00Z", "2026-01-01T01:30:00Z") == 1.5
}
