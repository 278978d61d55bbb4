-- The run date's ring_evidence row from `decisions` (decide_enforcement.sql).
insert into ring_evidence
select cast($run_date as date), $acted, count(*) filter (where on_ring_evidence), $ring_people
from decisions;
