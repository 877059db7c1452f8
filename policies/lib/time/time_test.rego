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

test_later_date_is_two_utc_days_on if {
	time.later_date(time.ns("2026-01-01T00:00:00Z")) == "2026-01-03"
	time.later_date(time.ns("2025-12-31T23:59:59Z")) == "2026-01-02"
	time.later_date(time.ns("2026-02-27T12:00:00-05:00")) == "2026-03-01"
}

test_later_date_keeps_every_time_at_or_before_the_instant if {
	t := time.ns("2026-01-01T00:00:00Z")
	cut := time.later_date(t)
	# at or before t, in any offset: sorts before the cut
	every d in ["2026-01-01T00:00:00Z", "2026-01-01T23:59:00+23:59", "2025-12-31T01:00:00-22:00"] {
		time.ns(d) <= t
		d < cut
	}
	# sorting at or after the cut: after t, even at the largest offset
	every d in ["2026-01-03T00:00:00+23:59", "2026-01-03T00:00:00Z"] {
		d >= cut
		time.ns(d) > t
	}
}
