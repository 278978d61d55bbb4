-- One row per metric for run date $run_date, as transparency reports name them.
-- Windowed metrics look back $window_days days; everything only uses data delivered by
-- the run date. $model_* come from the model registry (the version that scored the date).
insert into compliance_metrics
with params as (
    select
        cast($run_date as date) as run_date,
        cast($run_date as date) + interval 1 day as run_end,
        cast($run_date as date) + interval 1 day - to_days(cast($window_days as integer)) as window_start
),
listed as (
    select * from enforcement_list where run_date = (select run_date from params)
),
published_dates as (
    select run_date from publications where run_date < (select run_date from params)
),
listed_before as (
    select distinct account_id from enforcement_list
    where run_date in (select run_date from published_dates)
),
first_listed as (
    -- when each account was first actioned (published lists, and today's)
    select account_id, min(run_date) as first_listed_on from enforcement_list
    where run_date in (select run_date from published_dates) or run_date = (select run_date from params)
    group by account_id
),
paths as (
    -- how each listed decision came about (vocabulary.DECISION_PATHS)
    select
        case
            when listed.decided_by = 'model' then 'model'
            when listed.score_ai_managed is null then 'moderator_without_model'
            when scored.proposed_action = listed.action then 'moderator_with_model'
            else 'moderator_against_model'
        end as decision_path
    from listed
    left join (select account_id, proposed_action from account_scores
               where run_date = (select run_date from params)) as scored using (account_id)
),
review_requests as (
    -- reviews reached in the window, by what asked for them
    select source, count(*) as n from stg_activity__reviews
    where reviewed_at >= (select window_start from params) and reviewed_at < (select run_end from params)
      and delivered_on <= (select run_date from params)
    group by source
),
queued as (
    select * from review_queue where run_date = (select run_date from params)
),
audited_after_action as (
    -- random-sample verdicts reached after the account was first actioned: an audit the
    -- model's training could not have seen, so an honest check of the action
    select listed.action, reviews.verdict
    from listed
    inner join first_listed using (account_id)
    inner join stg_activity__reviews as reviews
        on listed.account_id = reviews.account_id
       and reviews.source = 'random_sample'
       and cast(reviews.reviewed_at as date) > first_listed.first_listed_on
       and reviews.delivered_on <= (select run_date from params)
),
user_reported as (
    select distinct account_id from stg_activity__reviews
    where source = 'user_report' and reviewed_at < (select run_end from params)
      and delivered_on <= (select run_date from params)
),
audit as (
    -- latest random-sample verdict per account within the window: the unbiased sample
    select account_id, arg_max(verdict, reviewed_at) as verdict
    from stg_activity__reviews
    where source = 'random_sample'
      and reviewed_at >= (select window_start from params)
      and reviewed_at < (select run_end from params)
      and delivered_on <= (select run_date from params)
    group by account_id
),
audit_rate as (
    select count(*) as n, count(*) filter (where verdict = 'ai_managed') as k from audit
),
wilson as (
    select
        n,
        case when n > 0 then k / n end as p,
        case when n > 0 then
            ((k / n) + 1.96 ^ 2 / (2 * n) - 1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)))
            / (1 + 1.96 ^ 2 / n) end as lo,
        case when n > 0 then
            ((k / n) + 1.96 ^ 2 / (2 * n) + 1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)))
            / (1 + 1.96 ^ 2 / n) end as hi
    from audit_rate
),
appeals as (
    -- each appeal as it stood on the run date (a later row with the same id updates it)
    select * from stg_activity__appeals
    where filed_at < (select run_end from params)
      and delivered_on <= (select run_date from params)
      and (superseded_on is null or superseded_on > (select run_date from params))
),
posts as (
    select account_id, ai_label, ai_metadata from stg_activity__events
    where event_type = 'post'
      and event_ts >= (select window_start from params)
      and event_ts < (select run_end from params)
      and delivered_on <= (select run_date from params)
),
delivered as (
    select table_name, sum(rows_landed) as landed, sum(rows_loaded) as loaded,
           sum(rows_quarantined) as quarantined
    from raw.deliveries
    where _delivery_date = (select run_date from params)
    group by table_name
),
refused as (
    -- the landing zone as last surveyed and loaded (the ledger): delivery folders refused,
    -- files rejected in the deliveries up to the run date, other entries not loaded
    select
        (select count(*) from raw.landing_entries where entry_kind = 'delivery') as deliveries,
        (select count(*) from raw.deliveries
            where rejected_reason is not null and _delivery_date <= (select run_date from params)) as files,
        (select count(*) from raw.landing_entries
            where entry_kind <> 'delivery'
              and (_delivery_date is null or _delivery_date <= (select run_date from params))) as entries
),
wide as (
    select
        (select count(*) from account_scores where run_date = (select run_date from params))
            as accounts_scored,
        -- reviewed accounts no accounts delivery has described by the run date: not in the
        -- run date's features, so their verdicts wait for the snapshot (docs/operations.md)
        (select count(distinct account_id) from stg_activity__reviews
            where delivered_on <= (select run_date from params)
              and account_id not in (select account_id from account_features
                                     where run_date = (select run_date from params)))
            as reviewed_accounts_unknown,
        (select count(*) from listed) as accounts_actioned_total,
        (select count(*) from listed where action = 'terminate') as accounts_actioned_terminate,
        (select count(*) from listed where action = 'warn_and_limit') as accounts_actioned_warn_and_limit,
        (select count(*) from listed where account_id not in (select account_id from listed_before))
            as accounts_actioned_new,
        (select count(*) from listed where account_id in (select account_id from listed_before))
            as accounts_actioned_continuing,
        (select avg(case when account_id in (select account_id from user_reported) then 0 else 1 end)
            from listed) as proactive_rate,
        (select count(*) from queued) as review_queue_size,
        (select count(*) filter (where decided_by = 'model') from listed)
            / nullif((select count(*) from listed) + (select count(*) from queued), 0)
            as decisions_automated_share,
        ((select count(*) filter (where decided_by = 'moderator') from listed) + (select count(*) from queued))
            / nullif((select count(*) from listed) + (select count(*) from queued), 0)
            as decisions_via_review_share,
        (select avg(case when verdict = 'ai_managed' then 1.0 else 0.0 end)
            from audited_after_action where action = 'terminate') as terminate_precision_audit_estimate,
        (select count(*) from audited_after_action where action = 'terminate') as terminate_audit_sample_size,
        (select avg(case when verdict <> 'human' then 1.0 else 0.0 end)
            from audited_after_action where action = 'warn_and_limit') as warn_and_limit_precision_audit_estimate,
        (select count(*) from audited_after_action where action = 'warn_and_limit')
            as warn_and_limit_audit_sample_size,
        (select count(*) filter (where outcome = 'upheld')
                / nullif(count(*) filter (where outcome in ('upheld', 'overturned')), 0)
            from appeals where action = 'terminate') as terminate_precision_appeals_estimate,
        (select count(*) filter (where outcome = 'upheld')
                / nullif(count(*) filter (where outcome in ('upheld', 'overturned')), 0)
            from appeals where action = 'warn_and_limit') as warn_and_limit_precision_appeals_estimate,
        (select count(distinct account_id) filter (where outcome = 'overturned') from appeals)
            as accounts_restored_after_appeal,
        (select p from wilson) as prevalence_ai_managed_estimate,
        (select lo from wilson) as prevalence_ai_managed_ci_low,
        (select hi from wilson) as prevalence_ai_managed_ci_high,
        (select n from wilson) as prevalence_audit_sample_size,
        (select count(*) filter (where decision_path = 'model') from paths) as decided_by_model,
        (select count(*) filter (where decision_path = 'moderator_with_model') from paths)
            as decided_by_moderator_with_model,
        (select count(*) filter (where decision_path = 'moderator_against_model') from paths)
            as decided_by_moderator_against_model,
        (select count(*) filter (where decision_path = 'moderator_without_model') from paths)
            as decided_by_moderator_without_model,
        (select coalesce(sum(n) filter (where source = 'random_sample'), 0) from review_requests)
            as reviews_random_sample,
        (select coalesce(sum(n) filter (where source = 'user_report'), 0) from review_requests)
            as reviews_user_report,
        (select coalesce(sum(n) filter (where source = 'appeal'), 0) from review_requests) as reviews_appeal,
        (select count(*) from appeals where action = 'terminate') as appeals_filed_terminate,
        (select count(*) filter (where outcome = 'upheld') from appeals where action = 'terminate') as appeals_upheld_terminate,
        (select count(*) filter (where outcome = 'overturned') from appeals where action = 'terminate') as appeals_overturned_terminate,
        (select count(*) filter (where outcome = 'pending') from appeals where action = 'terminate') as appeals_pending_terminate,
        (select median(date_diff('second', filed_at, decided_at)) / 3600.0 from appeals
            where action = 'terminate' and decided_at is not null) as appeal_decision_median_hours_terminate,
        (select count(*) from appeals where action = 'warn_and_limit') as appeals_filed_warn_and_limit,
        (select count(*) filter (where outcome = 'upheld') from appeals where action = 'warn_and_limit') as appeals_upheld_warn_and_limit,
        (select count(*) filter (where outcome = 'overturned') from appeals where action = 'warn_and_limit') as appeals_overturned_warn_and_limit,
        (select count(*) filter (where outcome = 'pending') from appeals where action = 'warn_and_limit') as appeals_pending_warn_and_limit,
        (select median(date_diff('second', filed_at, decided_at)) / 3600.0 from appeals
            where action = 'warn_and_limit' and decided_at is not null) as appeal_decision_median_hours_warn_and_limit,
        (select count(*) from appeals) as appeals_filed,
        (select count(*) filter (where outcome = 'upheld') from appeals) as appeals_upheld,
        (select count(*) filter (where outcome = 'overturned') from appeals) as appeals_overturned,
        (select count(*) filter (where outcome = 'pending') from appeals) as appeals_pending,
        (select median(date_diff('second', filed_at, decided_at)) / 3600.0 from appeals
            where decided_at is not null) as appeal_decision_median_hours,
        (select count(*) filter (where ai_metadata) from posts) as posts_with_ai_marker,
        (select avg(case when coalesce(ai_label, false) then 1 else 0 end) from posts where ai_metadata)
            as ai_marker_posts_labelled_share,
        (select avg(case when coalesce(ai_metadata, false) then 1 else 0 end) from posts where ai_label)
            as ai_labelled_posts_with_marker_share,
        (select count(*) from posts
            where account_id in (select account_id from listed)
              and not coalesce(ai_label, false) and not coalesce(ai_metadata, false))
            as suspected_ai_posts_unmarked,
        (select avg(case when not coalesce(ai_label, false) and not coalesce(ai_metadata, false)
                         then 1.0 else 0.0 end)
            from posts where account_id in (select account_id from listed))
            as suspected_ai_posts_unmarked_share,
        (select landed from delivered where table_name = 'accounts') as rows_landed_accounts,
        (select loaded from delivered where table_name = 'accounts') as rows_loaded_accounts,
        (select quarantined from delivered where table_name = 'accounts') as rows_quarantined_accounts,
        (select landed from delivered where table_name = 'events') as rows_landed_events,
        (select loaded from delivered where table_name = 'events') as rows_loaded_events,
        (select quarantined from delivered where table_name = 'events') as rows_quarantined_events,
        (select landed from delivered where table_name = 'reviews') as rows_landed_reviews,
        (select loaded from delivered where table_name = 'reviews') as rows_loaded_reviews,
        (select quarantined from delivered where table_name = 'reviews') as rows_quarantined_reviews,
        (select landed from delivered where table_name = 'appeals') as rows_landed_appeals,
        (select loaded from delivered where table_name = 'appeals') as rows_loaded_appeals,
        (select quarantined from delivered where table_name = 'appeals') as rows_quarantined_appeals,
        (select deliveries from refused) as deliveries_rejected,
        (select files from refused) as files_rejected,
        (select entries from refused) as landing_entries_refused,
        cast($model_version as double) as model_version,
        case when $model_acting then 1 else 0 end as model_acting,
        cast($reviews_needed_human as double) as reviews_needed_human,
        cast($reviews_needed_ai_assisted as double) as reviews_needed_ai_assisted,
        cast($reviews_needed_ai_managed as double) as reviews_needed_ai_managed,
        cast($reviews_needed_any as double) as reviews_needed_any,
        cast($terminate_threshold as double) as terminate_threshold,
        cast($terminate_heldout_precision as double) as terminate_heldout_precision,
        cast($terminate_heldout_recall as double) as terminate_heldout_recall,
        cast($warn_threshold as double) as warn_and_limit_threshold,
        cast($warn_threshold_policy as double) as warn_and_limit_policy_threshold,
        cast($warnings_withheld as double) as warnings_withheld,
        cast($warn_guard_people_flagged as double) as warn_guard_people_flagged,
        cast($terminate_guard_tripped as double) as terminate_guard_tripped,
        cast($terminations_held as double) as terminations_held,
        cast($guard_people_flagged as double) as guard_people_flagged,
        cast($guard_people_reviewed as double) as guard_people_reviewed,
        cast($guard_people_upper_per_10k as double) as guard_people_upper_per_10k,
        (select max(case when acted then 1 else 0 end) from ring_evidence
            where run_date = (select run_date from params)) as ring_evidence_acted,
        (select max(terminated) from ring_evidence where run_date = (select run_date from params))
            as terminated_on_ring_evidence,
        (select max(ring_people) from ring_evidence where run_date = (select run_date from params))
            as ring_people_reviewed,
        (select count(*) from networks where run_date = (select run_date from params)) as networks_actioned,
        (select coalesce(sum(members_actioned), 0) from networks where run_date = (select run_date from params))
            as network_members_actioned,
        (select coalesce(sum(size), 0) from networks where run_date = (select run_date from params))
            as network_members_total
),
wide_double as (
    -- one value type for every metric
    select cast(columns(*) as double) from wide
),
long as (
    select * from wide_double unpivot include nulls (value for metric in (columns(*)))
),
descriptions (metric, unit, description) as (
    values
        ('accounts_scored', 'count', 'accounts scored by the model on the run date'),
        ('reviewed_accounts_unknown', 'count', 'reviewed accounts that no accounts delivery has described: their verdicts wait for the account snapshot'),
        ('accounts_actioned_total', 'count', 'accounts on the enforcement list'),
        ('accounts_actioned_terminate', 'count', 'accounts terminated (run by automation)'),
        ('accounts_actioned_warn_and_limit', 'count', 'accounts warned with reduced visibility (AI use beyond assistance)'),
        ('accounts_actioned_new', 'count', 'actioned accounts not on any earlier list'),
        ('accounts_actioned_continuing', 'count', 'actioned accounts already on an earlier list'),
        ('proactive_rate', 'fraction', 'share of actioned accounts found before any user report'),
        ('review_queue_size', 'count', 'accounts sent to moderators instead of an automatic action'),
        ('decisions_automated_share', 'fraction', 'share of decisions (actions and queued) taken by the model alone'),
        ('decisions_via_review_share', 'fraction', 'share of decisions taken or pending by a moderator'),
        ('terminate_precision_audit_estimate', 'fraction', 'terminated accounts confirmed AI-managed by a later random audit'),
        ('terminate_audit_sample_size', 'count', 'terminated accounts audited after the action'),
        ('warn_and_limit_precision_audit_estimate', 'fraction', 'warned accounts confirmed to use AI by a later random audit'),
        ('warn_and_limit_audit_sample_size', 'count', 'warned accounts audited after the action'),
        ('terminate_precision_appeals_estimate', 'fraction', 'decided terminate appeals that were upheld'),
        ('warn_and_limit_precision_appeals_estimate', 'fraction', 'decided warn-and-limit appeals that were upheld'),
        ('accounts_restored_after_appeal', 'count', 'accounts whose action was overturned on appeal'),
        ('suspected_ai_posts_unmarked', 'count', 'posts in the window by actioned accounts with neither label nor marker'),
        ('suspected_ai_posts_unmarked_share', 'fraction', 'share of actioned accounts'' posts with neither label nor marker'),
        ('prevalence_ai_managed_estimate', 'fraction', 'share of AI-managed accounts in the random audit sample (window)'),
        ('prevalence_ai_managed_ci_low', 'fraction', 'lower bound, 95% Wilson interval of the prevalence'),
        ('prevalence_ai_managed_ci_high', 'fraction', 'upper bound, 95% Wilson interval of the prevalence'),
        ('prevalence_audit_sample_size', 'count', 'accounts in the random audit sample (window)'),
        ('decided_by_model', 'count', 'listed accounts the model decided alone'),
        ('decided_by_moderator_with_model', 'count', 'listed accounts a moderator decided, as the model proposed'),
        ('decided_by_moderator_against_model', 'count', 'listed accounts a moderator decided against the model''s proposal'),
        ('decided_by_moderator_without_model', 'count', 'listed accounts a moderator decided while no model acts'),
        ('reviews_random_sample', 'count', 'moderator reviews in the window from the random audit sample'),
        ('reviews_user_report', 'count', 'moderator reviews in the window requested by a user report'),
        ('reviews_appeal', 'count', 'moderator reviews in the window requested by an appeal'),
        ('appeals_filed_terminate', 'count', 'terminate appeals filed to date'),
        ('appeals_upheld_terminate', 'count', 'terminate appeals decided: action upheld'),
        ('appeals_overturned_terminate', 'count', 'terminate appeals decided: action overturned'),
        ('appeals_pending_terminate', 'count', 'terminate appeals not yet decided'),
        ('appeal_decision_median_hours_terminate', 'hours', 'median hours from filing to decision, terminate appeals'),
        ('appeals_filed_warn_and_limit', 'count', 'warn-and-limit appeals filed to date'),
        ('appeals_upheld_warn_and_limit', 'count', 'warn-and-limit appeals decided: action upheld'),
        ('appeals_overturned_warn_and_limit', 'count', 'warn-and-limit appeals decided: action overturned'),
        ('appeals_pending_warn_and_limit', 'count', 'warn-and-limit appeals not yet decided'),
        ('appeal_decision_median_hours_warn_and_limit', 'hours', 'median hours from filing to decision, warn-and-limit appeals'),
        ('appeals_filed', 'count', 'appeals filed to date'),
        ('appeals_upheld', 'count', 'appeals decided: action upheld'),
        ('appeals_overturned', 'count', 'appeals decided: action overturned (account restored)'),
        ('appeals_pending', 'count', 'appeals not yet decided'),
        ('appeal_decision_median_hours', 'hours', 'median hours from filing to decision'),
        ('posts_with_ai_marker', 'count', 'posts in the window carrying the implicit AI marker'),
        ('ai_marker_posts_labelled_share', 'fraction', 'share of posts with the implicit AI marker that also show the visible label'),
        ('ai_labelled_posts_with_marker_share', 'fraction', 'share of visibly labelled posts that also carry the implicit marker'),
        ('rows_landed_accounts', 'count', 'accounts rows landed in the run date''s delivery'),
        ('rows_loaded_accounts', 'count', 'accounts rows loaded'),
        ('rows_quarantined_accounts', 'count', 'accounts rows quarantined'),
        ('rows_landed_events', 'count', 'events rows landed in the run date''s delivery'),
        ('rows_loaded_events', 'count', 'events rows loaded'),
        ('rows_quarantined_events', 'count', 'events rows quarantined'),
        ('rows_landed_reviews', 'count', 'reviews rows landed in the run date''s delivery'),
        ('rows_loaded_reviews', 'count', 'reviews rows loaded'),
        ('rows_quarantined_reviews', 'count', 'reviews rows quarantined'),
        ('rows_landed_appeals', 'count', 'appeals rows landed in the run date''s delivery'),
        ('rows_loaded_appeals', 'count', 'appeals rows loaded'),
        ('rows_quarantined_appeals', 'count', 'appeals rows quarantined'),
        ('deliveries_rejected', 'count', 'delivery folders in the landing zone refused (not dt=<date>, or outside the partition range)'),
        ('files_rejected', 'count', 'landed files rejected whole (unreadable, missing or uncastable column, over a limit), deliveries up to the run date'),
        ('landing_entries_refused', 'count', 'other landing-zone entries not loaded (nested folders, hidden files, other formats, links leaving the zone)'),
        ('model_version', 'version', 'registered model version that scored the run date'),
        ('model_acting', 'flag', '1 when a model scored the run date; 0 when none acts yet (too few reviews) and moderators'' verdicts decide alone'),
        ('reviews_needed_human', 'count', 'more reviewed human accounts training needs before a model acts (none acts yet)'),
        ('reviews_needed_ai_assisted', 'count', 'more reviewed ai_assisted accounts training needs before a model acts (none acts yet)'),
        ('reviews_needed_ai_managed', 'count', 'more reviewed ai_managed accounts training needs before a model acts (none acts yet)'),
        ('reviews_needed_any', 'count', 'more reviewed accounts of any class training needs before a model acts (none acts yet)'),
        ('terminate_threshold', 'score', 'score_ai_managed at or above which an account is terminated'),
        ('terminate_heldout_precision', 'fraction', 'precision of terminate on held-out reviews'),
        ('terminate_heldout_recall', 'fraction', 'recall of terminate on held-out reviews'),
        ('warn_and_limit_threshold', 'score', 'AI-involvement score at or above which an account was warned on the run date (the policy''s bar, or the warn guard''s when it rose)'),
        ('warn_and_limit_policy_threshold', 'score', 'the warn bar of the model''s policy, chosen on reviews'),
        ('warnings_withheld', 'count', 'warnings between the policy''s bar and the warn guard''s: the policy''s bar would warn more audited people (random-sample reviews, latest verdict human) than flipped verdicts plus REALPEOPLE_WARN_GUARD_PER_10K explain'),
        ('warn_guard_people_flagged', 'count', 'audited people at or above the policy''s warn bar on the run date'),
        ('terminate_guard_tripped', 'flag', '1 when automatic terminate was held: the terminate bar would terminate more audited people than flipped verdicts plus REALPEOPLE_TERMINATE_GUARD_PER_10K explain (one-sided test, 5 %); the model''s terminations went to the review queue'),
        ('terminations_held', 'count', 'automatic terminations the guard sent to the review queue instead'),
        ('guard_people_flagged', 'count', 'audited people (random-sample reviews, latest verdict human) at or above the terminate bar on the run date'),
        ('guard_people_reviewed', 'count', 'audited people (random-sample reviews, latest verdict human) the guard measured on'),
        ('guard_people_upper_per_10k', 'per_10k', '95 % upper bound of people the terminate bar would terminate, per 10,000, from the audited people'),
        ('ring_evidence_acted', 'flag', '1 when ring evidence could act on the run date: accounts of the model''s uncertain band tied to two members of a coordination ring of at least REALPEOPLE_RING_EVIDENCE_MIN_SIZE accounts are terminated (terminated_on_ring_evidence says how many); 0 when it is off or reviewed people sat in two such rings or more (a ring holding one stands down alone)'),
        ('terminated_on_ring_evidence', 'count', 'accounts terminated by the model on ring evidence (uncertain score, member of a coordination ring)'),
        ('ring_people_reviewed', 'count', 'reviewed people (latest verdict human) in a coordination ring whom ring evidence would have terminated; their rings stand down, and people in two rings or more keep it from acting at all'),
        ('networks_actioned', 'count', 'coordinated networks (accounts tied by shared devices or co-targeting clusters) with a member actioned'),
        ('network_members_actioned', 'count', 'actioned accounts that belong to such a network'),
        ('network_members_total', 'count', 'accounts in those networks, actioned or not')
)
select (select run_date from params) as run_date, long.metric, long.value, descriptions.description,
    descriptions.unit
from long
inner join descriptions using (metric)
order by metric;
