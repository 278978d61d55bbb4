-- The run date's statements (from the registered frame `new_statements`), replacing any
-- from an earlier run of the same date; earlier dates' statements are never touched.
delete from statements_of_reasons where run_date = cast($run_date as date);
