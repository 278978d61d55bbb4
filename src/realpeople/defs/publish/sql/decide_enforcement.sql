-- One row per account of the run date $run_date (account_features) that is actioned or
-- queued: what the platform does and why. The values written ($terminate, $warn_and_limit,
-- $reason_*, decided_by) are declared in src/realpeople/vocabulary.py and passed in by rules.decide.
--
-- Order of authority:
-- 1. A moderator's verdict from a recent review ($override_days) overrides the model:
--    ai_managed -> terminate, ai_assisted -> warn_and_limit, human -> nothing. Verdicts are
--    wrong a few percent of the time, so a verdict the model flatly contradicts goes to a
--    second review instead: automation when score_ai_managed is below
--    $second_review_below (on the demo world every person terminated came from such a
--    verdict), AI writing help when the probability of any AI (assisted + managed) is
--    below the same bar (issue 13: 16 of 17 people warned came from such verdicts).
--    Without a model (too few reviews to train one) the verdicts act as they are: there is
--    no score to contradict them.
-- 2. An account cleared on appeal (outcome `overturned`) is not actioned again for the
--    same behaviour unless new evidence arrives: a later moderator verdict finding AI use.
--    If the model flags it again, a moderator looks (review queue) instead.
-- 3. Otherwise the champion model's proposed action (policy thresholds on the version);
--    its uncertain band (`review`) goes to the review queue, and so do terminations the
--    terminate guard held ($terminate_held_from) and members of a coordination ring tied to
--    actioned accounts that nothing else acts on (coordination_rings.tied_to_actioned):
--    evidence for a moderator, never an action on its own.
-- 4. Ring evidence ($ring_evidence_acts): an account in the model's uncertain band (or
--    below it, scored at least $ring_evidence_min_score, with no action proposed) that
--    belongs to a coordination ring (small, steady clusters keeping the same daily slots;
--    coordination_rings.in_ring) is terminated by the model on that evidence, with the
--    ring in its reasons (on_ring_evidence); also while the terminate guard holds the
--    model's terminations (the guard judges the score bar, the ring is other evidence).
--    Never in a ring where a reviewed person sits with a score in the band or above, and
--    not at all on a day such people sit in two rings or more (rules.decide,
--    sql/ring_people.sql, sql/stand_down_rings.sql).
create or replace temp table decisions as
with params as (
    select
        cast($run_date as date) as run_date,
        cast($run_date as date) + interval 1 day as run_end,
        cast($run_date as date) + interval 1 day - to_days(cast($override_days as integer)) as override_start
),
accounts as (
    -- every account known on the run date; scores only where a model acted
    select account_id from account_features where run_date = (select run_date from params)
),
scores as (
    select accounts.account_id, scored.* exclude (account_id, run_date)
    from accounts
    left join (select * from account_scores where run_date = (select run_date from params)) as scored
        using (account_id)
),
latest_review as (
    select account_id, arg_max(verdict, reviewed_at) as verdict, max(reviewed_at) as reviewed_at
    from stg_activity__reviews
    where delivered_on <= (select run_date from params)
      and reviewed_at < (select run_end from params)
      and reviewed_at >= (select override_start from params)
    group by account_id
),
appeals_as_of as (
    select * from stg_activity__appeals
    where delivered_on <= (select run_date from params)
      and filed_at < (select run_end from params)
      and (superseded_on is null or superseded_on > (select run_date from params))
),
cleared as (
    select account_id, max(coalesce(decided_at, filed_at)) as cleared_at
    from appeals_as_of
    where outcome = 'overturned'
    group by account_id
),
new_evidence as (
    select distinct cleared.account_id
    from cleared
    inner join stg_activity__reviews as later
        on cleared.account_id = later.account_id
       and cleared.cleared_at < later.reviewed_at
       and later.verdict <> 'human'
       and later.delivered_on <= (select run_date from params)
),
joined as (
    select
        scores.*,
        latest_review.verdict as review_verdict,
        latest_review.reviewed_at,
        cleared.cleared_at,
        new_evidence.account_id is not null as has_new_evidence,
        coalesce(coordination_rings.tied_to_actioned, false) as tied_to_actioned,
        coalesce(coordination_rings.in_ring, false) as in_ring,
        coordination_rings.cluster_size as ring_size,
        coordination_rings.evidence as ring_evidence
    from scores
    left join latest_review using (account_id)
    left join cleared using (account_id)
    left join new_evidence using (account_id)
    -- coordination cluster members (coordination_clusters of the run date, registered by
    -- rules.decide; empty without clusters)
    left join coordination_rings using (account_id)
),
contradicted as (
    select
        *,
        -- the model flatly contradicts the moderator's verdict (never without a model)
        coalesce(case review_verdict
            when 'ai_managed' then score_ai_managed < cast($second_review_below as double)
            when 'ai_assisted' then score_ai_assisted + score_ai_managed < cast($second_review_below as double)
        end, false) as verdict_contradicted,
        -- ring evidence acts on the model's uncertain band, held terminations included,
        -- and below it on a score of at least $ring_evidence_min_score the model proposes
        -- nothing for (never on a verdict or an account cleared on appeal)
        coalesce(
            cast($ring_evidence_acts as boolean)
            and in_ring
            and (
                proposed_action = $review
                or (proposed_action is null
                    and score_ai_managed >= cast($ring_evidence_min_score as double))
            )
            and review_verdict is null
            and cleared_at is null,
            false
        ) as on_ring_evidence
    from joined
),
decided as (
    select
        *,
        case
            when review_verdict is not null and verdict_contradicted then null
            when review_verdict = 'ai_managed' then $terminate
            when review_verdict = 'ai_assisted' then $warn_and_limit
            when review_verdict = 'human' then null
            when cleared_at is not null and not has_new_evidence then null
            when proposed_action in ($terminate, $warn_and_limit) then proposed_action
            when on_ring_evidence then $terminate
        end as action,
        case
            when review_verdict = 'ai_managed' and verdict_contradicted then $reason_second_review_ai_managed
            when review_verdict = 'ai_assisted' and verdict_contradicted then $reason_second_review_ai_assisted
            when review_verdict is not null then null
            when on_ring_evidence then null
            when cleared_at is not null and not has_new_evidence
                 and proposed_action in ($terminate, $warn_and_limit, $review)
                then $reason_cleared_flagged_again
            when proposed_action = $review
                 and score_ai_managed >= cast($terminate_held_from as double) then $reason_terminate_held
            -- not proposed for an action (a null proposal counts as none)
            when tied_to_actioned and coalesce(proposed_action not in ($terminate, $warn_and_limit), true)
                then $reason_tied_to_actioned
            when proposed_action = $review then $reason_uncertain_score
        end as queue_reason
    from contradicted
)
select
    account_id,
    action,
    queue_reason,
    case when review_verdict is not null then $by_moderator else $by_model end as decided_by,
    score_ai_managed,
    score_ai_assisted,
    case
        when review_verdict is not null then
            'moderator review on ' || strftime(reviewed_at, '%Y-%m-%d') || ' found: '
            || case review_verdict
                   when 'ai_managed' then 'account run by automation'
                   when 'ai_assisted' then 'AI writing help beyond assistance'
                   else 'a person in charge' end
            || coalesce('; ' || reasons, '')
        when on_ring_evidence then
            'member of a coordination ring of ' || ring_size || ' accounts: ' || ring_evidence
            || coalesce('; ' || reasons, '')
        else coalesce(reasons, 'overall behaviour pattern')
    end as reasons,
    model_version,
    (select run_date from params) as run_date,
    on_ring_evidence
from decided
where action is not null or queue_reason is not null;
