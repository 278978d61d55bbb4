-- The run date's ring_evidence row, replaced by each decision (rules.decide).
delete from ring_evidence where run_date = cast($run_date as date);
