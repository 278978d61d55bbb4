-- One row per ring holding reviewed people (latest verdict `human`, delivered and reached
-- by $run_date) whom ring evidence would terminate on $run_date: in the ring
-- (coordination_rings, registered by rules.decide) and proposed `review` or `terminate`
-- by the model, or scored at least $ring_evidence_min_score; with how many. Rings are to hold automation only: such a ring stands down
-- (rules.decide), and people in two or more rings stop ring evidence for the day.
with latest as (
    select account_id, arg_max(verdict, reviewed_at) as verdict
    from stg_activity__reviews
    where delivered_on <= cast($run_date as date)
      and reviewed_at < cast($run_date as date) + interval 1 day
    group by account_id
)

select coordination_rings.ring_id, count(*) as people
from latest
inner join coordination_rings using (account_id)
inner join account_scores as scores
    on latest.account_id = scores.account_id
   and scores.run_date = cast($run_date as date)
where latest.verdict = 'human'
  and coordination_rings.in_ring
  and (scores.proposed_action in ($review, $terminate)
       or scores.score_ai_managed >= cast($ring_evidence_min_score as double))
group by coordination_rings.ring_id;
