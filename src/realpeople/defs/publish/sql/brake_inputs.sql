-- What the safety brake looks at for run date $run_date: today's terminate count against
-- the median of the last $history_runs published run dates, and how far today's
-- score_ai_managed distribution moved from the last published date's (population
-- stability index over ten equal-width bins; 0.25 is the usual "major shift").
with params as (select cast($run_date as date) as run_date),
today as (
    select count(*) filter (where action = 'terminate') as terminate
    from enforcement_list where run_date = (select run_date from params)
),
history as (
    select terminate from publications
    where run_date < (select run_date from params)
    order by run_date desc
    limit $history_runs
),
previous as (
    -- the last published run date that still has its scores to compare with
    select max(run_date) as run_date from publications
    where run_date < (select run_date from params)
      and run_date in (select distinct run_date from account_scores)
),
binned as (
    select
        case when run_date = (select run_date from params) then 'today' else 'previous' end as side,
        least(cast(floor(score_ai_managed * 10) as integer), 9) as bin,
        count(*) as n
    from account_scores
    where run_date = (select run_date from params) or run_date = (select run_date from previous)
    group by all
),
shares as (
    select bin,
        coalesce(sum(n) filter (where side = 'today'), 0)
            / nullif(sum(sum(n) filter (where side = 'today')) over (), 0) as p,
        coalesce(sum(n) filter (where side = 'previous'), 0)
            / nullif(sum(sum(n) filter (where side = 'previous')) over (), 0) as q
    from binned
    group by bin
)
select
    (select terminate from today) as terminate,
    (select median(terminate) from history) as trailing_median,
    (select count(*) from history) as history_runs,
    (select run_date from previous) as previous_run_date,
    -- a small floor keeps empty bins from dividing by zero
    (select sum((greatest(p, 1e-4) - greatest(q, 1e-4)) * ln(greatest(p, 1e-4) / greatest(q, 1e-4)))
     from shares where (select run_date from previous) is not null) as score_psi;
