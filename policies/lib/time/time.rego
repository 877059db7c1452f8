# METADATA
# title: Time helpers
# description: >-
#   RFC 3339 parsing and durations for policies that compare evidence times with
#   each other and with the evaluation instant. Library rules never read input:
#   the control passes in what it needs.
package lib.time

import rego.v1

minute_ns := 60 * 1000000000

hour_ns := 60 * minute_ns

day_ns := 24 * hour_ns

# METADATA
# title: ns
# description: Nanoseconds since the epoch of an RFC 3339 string; undefined for null or a non-string.
ns(s) := time.parse_rfc3339_ns(s) if is_string(s)

# METADATA
# title: minutes, hours, days
# description: A duration in nanoseconds.
minutes(n) := n * minute_ns

hours(n) := n * hour_ns

days(n) := n * day_ns

# METADATA
# title: within
# description: >-
#   The RFC 3339 time done is recorded and falls at most limit_ns after the RFC 3339
#   time start (and not before it).
within(start, done, limit_ns) if {
	d := ns(done) - ns(start)
	d >= 0
	d <= limit_ns
}

# METADATA
# title: overdue
# description: >-
#   The deadline limit_ns after start has passed at the instant now_ns and done
#   (a time or null) does not fall within it: the thing was not done in time.
overdue(start, done, limit_ns, now_ns) if {
	ns(start) + limit_ns < now_ns
	not within(start, done, limit_ns)
}

# METADATA
# title: due
# description: >-
#   The deadline limit_ns after start has passed at now_ns, or done is recorded:
#   the outcome can be judged.
judgeable(start, done, limit_ns, now_ns) if ns(start) + limit_ns < now_ns

judgeable(start, done, limit_ns, now_ns) if ns(done)

# METADATA
# title: hours_between
# description: Whole and fractional hours from a to b, rounded to one decimal, for messages.
hours_between(a, b) := round((ns(b) - ns(a)) / (hour_ns / 10)) / 10

# METADATA
# title: parse
# description: Nanoseconds since the epoch of an RFC 3339 string (a required field the schema guarantees).
parse(s) := time.parse_rfc3339_ns(s)

# METADATA
# title: age_days
# description: Whole days from the instant t_ns to the instant now_ns (floored), for messages.
age_days(t_ns, now_ns) := floor((now_ns - t_ns) / day_ns)

# METADATA
# title: later_date
# description: >-
#   The UTC date ("YYYY-MM-DD") two days after the instant t_ns. An RFC 3339 date-time
#   that sorts at or after it as a string is an instant after t_ns, whatever its offset
#   (offsets are under a day), so "d < later_date(t_ns)" is a cheap string comparison
#   that keeps every d at or before t_ns: filter with it, then parse only what is left.
#   Compute it once in a rule; it relies on evidence times being RFC 3339 (the schemas check).
later_date(t_ns) := day if {
	[y, m, d] := time.date(t_ns + 2 * day_ns)
	day := sprintf("%04d-%02d-%02d", [y, m, d])
}
