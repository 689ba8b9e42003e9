"""Reports: the confirmation funnel by filing day, locale and notice variant, kept as daily aggregates by an
incremental rollup (rollup.py) and read by the staff page, the CSVs, `smsbot report` and `/metrics`."""
