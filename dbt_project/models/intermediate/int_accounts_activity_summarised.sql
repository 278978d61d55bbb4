-- One row per account with at least one event in the window: volume and rhythm.
-- A fold of per-segment partial aggregates (macros/rhythm.sql explains segments and what
-- each holds): the settled event days come from int_account_days_summarised and
-- int_account_days_binned, built once per event day; the newest days (partial_window:
-- later deliveries can still add to them) are aggregated here from the window's events
-- delivered by the run date, with the same macros. Then one lag over the account's
-- segments (about one row per five events, narrow columns only) adds what happens across
-- their joins: the gaps between segments, whether a segment's first event starts a
-- session, the gaps between session starts. So a daily build reads three days of events,
-- not the window.
-- Exact up to rounding but the median gap, estimated from quarter-octave bins: within a
-- factor 2^(1/8) of the exact median of (gap + 1) seconds. Means and CVs come from sums
-- and sums of squares. The analysis rhythm_exact computes everything from the events; the
-- equality test holds this fold to it.
-- Entropies (hour of day, weekday, gap size) use H = ln N - sum(c ln c) / N over per-bin
-- counts. Local days at the window's edges are partial (the window is cut in UTC); their
-- quiet stretches are measured only inside the window so a bot does not get a false 8 h gap.
{%- set w = feature_window() %}
{%- set days = partial_window() %}
{%- set session_break = var('session_break_minutes') | int * 60 %}
{%- set sums = ['events', 'posts', 'comments', 'likes', 'follows', 'dms', 'group_messages',
                'logins', 'night_events', 'gaps', 'gap_sum', 'gap_sum_sq', 'intra_gaps',
                'intra_gap_sum', 'intra_gap_sum_sq', 'session_starts'] %}
{%- for h in range(24) %}{% do sums.append('hour_%02d' % h) %}{% endfor %}
{%- set joined_columns = ['account_id', 'event_day', 'local_day', 'events', 'first_local_ts',
                          'last_local_ts', 'gap_max', 'session_starts', 'first_start_local_ts',
                          'last_start_local_ts', 'start_gaps', 'start_gap_sum', 'start_gap_sum_sq'] %}

with tail_events as (

    select account_id, event_type, event_ts, local_ts
    from {{ ref('int_events_windowed') }}
    where event_ts >= cast({{ days.tail_day }} as timestamp)

),

tail_sequenced as {{ materialized_cte() }} (
{{ rhythm_sequenced('tail_events') }}
),

-- Read twice below (narrow for the joins, wide for the sums): computed once.
tail_segments as {{ materialized_cte() }} (
{{ rhythm_segments('tail_sequenced') }}
),

-- Per-account sums of the segments' own aggregates: no sort, no join.
segment_totals as (

    select
        account_id,
        {%- for column in sums %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select account_id, {{ sums | join(', ') }}
        from {{ ref('int_account_days_summarised') }}
        where account_id is not null
          and {{ settled_in_window() }}
        union all
        select account_id, {{ sums | join(', ') }}
        from tail_segments
    ) as s
    group by account_id

),

-- Each segment (narrow) with the join to the account's previous non-empty segment.
joined as (

    select
        s.*,
        {{ seconds_between(
            'lag(s.last_local_ts) over (partition by s.account_id order by s.first_local_ts)',
            's.first_local_ts') }} as join_gap,
        lag(s.local_day) over (partition by s.account_id order by s.first_local_ts) as previous_local_day
    from (
        select {{ joined_columns | join(', ') }}
        from {{ ref('int_account_days_summarised') }}
        where account_id is not null
          and {{ settled_in_window() }}
        union all
        select {{ joined_columns | join(', ') }}
        from tail_segments
    ) as s

),

marked as {{ materialized_cte() }} (

    select
        j.*,
        j.join_gap is null or j.join_gap > {{ session_break }} as first_starts
    from joined as j

),

join_totals as (

    select
        account_id,
        count(join_gap) as gaps,
        coalesce(sum(join_gap), 0) as gap_sum,
        coalesce(sum(join_gap * join_gap), 0) as gap_sum_sq,
        count(case when join_gap <= {{ session_break }} then 1 end) as intra_gaps,
        coalesce(sum(case when join_gap <= {{ session_break }} then join_gap end), 0) as intra_gap_sum,
        coalesce(sum(case when join_gap <= {{ session_break }} then join_gap * join_gap end), 0)
            as intra_gap_sum_sq,
        count(case when first_starts then 1 end) as session_starts
    from marked
    group by account_id

),

per_account as (

    select
        t.account_id,
        {%- for column in sums if column not in ['gaps', 'gap_sum', 'gap_sum_sq', 'intra_gaps', 'intra_gap_sum', 'intra_gap_sum_sq', 'session_starts'] %}
        t.{{ column }},
        {%- endfor %}
        t.gaps + j.gaps as gaps,
        coalesce(t.gap_sum, 0) + j.gap_sum as gap_total,
        coalesce(t.gap_sum_sq, 0) + j.gap_sum_sq as gap_total_sq,
        t.intra_gaps + j.intra_gaps as intra_gaps,
        coalesce(t.intra_gap_sum, 0) + j.intra_gap_sum as intra_gap_total,
        coalesce(t.intra_gap_sum_sq, 0) + j.intra_gap_sum_sq as intra_gap_total_sq,
        t.session_starts + j.session_starts as sessions
    from segment_totals as t
    inner join join_totals as j
        on t.account_id = j.account_id

),

per_day as (

    select
        account_id,
        local_day,
        sum(events) as events,
        -- Longest inactive stretch of the local calendar day, edges included
        -- (midnight -> first event, last event -> next midnight; clipped to the window).
        greatest(
            coalesce(max(gap_max), 0),
            coalesce(max(case when previous_local_day = local_day then join_gap end), 0),
            {{ seconds_between(
                'greatest(cast(local_day as timestamp), ' ~ w.local_window_start ~ ')',
                'min(first_local_ts)') }},
            {{ seconds_between(
                'max(last_local_ts)',
                'least(' ~ dbt.dateadd('day', 1, 'cast(local_day as timestamp)') ~ ', ' ~ w.local_window_end ~ ')') }}
        ) as longest_quiet_seconds
    from marked
    group by account_id, local_day

),

daily as (

    select
        account_id,
        count(*) as active_days,
        {{ coefficient_of_variation('events') }} as daily_volume_cv,
        avg(longest_quiet_seconds) / 3600.0 as longest_daily_gap_hours
    from per_day
    group by account_id

),

weekday_entropy as (

    select account_id, {{ normalised_entropy('occurrences', 7) }} as weekday_entropy
    from (
        select account_id, {{ day_of_week('local_day') }} as bin, sum(events) as occurrences
        from per_day
        group by account_id, {{ day_of_week('local_day') }}
    ) as w
    group by account_id

),

-- Long bin counts of the window: the segments' own (settled and newest days) plus the
-- joins' gaps and the session starts at segment starts.
bins as (

    select account_id, local_day, measure, bin, occurrences
    from {{ ref('int_account_days_binned') }}
    where account_id is not null
      and {{ settled_in_window() }}
    union all
    select account_id, local_day, measure, bin, occurrences
    from ({{ rhythm_bins('tail_sequenced') }}) as t
    union all
    select account_id, local_day, 'gap' as measure, {{ gap_quarter_octave('join_gap') }} as bin, 1 as occurrences
    from marked
    where join_gap is not null
    union all
    select account_id, local_day, 'slot' as measure, {{ day_slot('first_local_ts') }} as bin, 1 as occurrences
    from marked
    where first_starts

),

gap_bins as (

    select
        account_id,
        bin,
        sum(occurrences) as gaps
    from bins
    where measure = 'gap'
    group by account_id, bin

),

-- The median gap: the bins of the two middle gaps (ranks) from cumulative counts.
gap_median as (

    select
        account_id,
        ({{ gap_bin_centre('min(case when through >= floor((total + 1) / 2) then bin end)') }}
         + {{ gap_bin_centre('min(case when through >= floor(total / 2) + 1 then bin end)') }}) / 2
            as gap_median_seconds
    from (
        select
            g.account_id,
            g.bin,
            sum(g.gaps) over (partition by g.account_id order by g.bin rows between unbounded preceding and current row)
                as through,
            -- every gap is in one bin: the account's gap count is the histogram's total
            a.gaps as total
        from gap_bins as g
        inner join per_account as a
            on g.account_id = a.account_id
    ) as c
    group by account_id

),

-- Gap sizes in half-octave bins (x1.41 each, 0 .. 31, the last holding >= ~13 h).
gap_entropy as (

    select account_id, {{ normalised_entropy('occurrences', 32) }} as gap_entropy
    from (
        select account_id, least(31, cast(floor(bin / 2) as integer)) as half_octave, sum(gaps) as occurrences
        from gap_bins
        group by account_id, least(31, cast(floor(bin / 2) as integer))
    ) as h
    group by account_id

),

-- Session starts in segment order: a segment's first event (when the join before it is
-- long, or it is the account's first), then its internal starts.
segment_starts as (

    select
        account_id,
        first_local_ts,
        case when first_starts then first_local_ts else first_start_local_ts end as first_start,
        coalesce(last_start_local_ts, case when first_starts then first_local_ts end) as last_start,
        coalesce(start_gaps, 0)
            + case when first_starts and first_start_local_ts is not null then 1 else 0 end
            as inner_gaps,
        coalesce(start_gap_sum, 0)
            + case when first_starts and first_start_local_ts is not null
                   then {{ seconds_between('first_local_ts', 'first_start_local_ts') }} else 0 end
            as inner_sum,
        coalesce(start_gap_sum_sq, 0)
            + case when first_starts and first_start_local_ts is not null
                   then {{ seconds_between('first_local_ts', 'first_start_local_ts') }}
                        * {{ seconds_between('first_local_ts', 'first_start_local_ts') }} else 0 end
            as inner_sum_sq
    from marked
    where first_starts or session_starts > 0

),

session_stats as (

    select
        account_id,
        sum(inner_gaps) + count(start_join_gap) as start_gaps,
        sum(inner_sum) + coalesce(sum(start_join_gap), 0) as start_gap_total,
        sum(inner_sum_sq) + coalesce(sum(start_join_gap * start_join_gap), 0) as start_gap_total_sq
    from (
        select
            account_id,
            inner_gaps,
            inner_sum,
            inner_sum_sq,
            {{ seconds_between(
                'lag(last_start) over (partition by account_id order by first_local_ts)',
                'first_start') }} as start_join_gap
        from segment_starts
    ) as s
    group by account_id

),

-- Goh & Barabasi burstiness of the time between session starts:
-- (sd - mean) / (sd + mean): -1 perfectly periodic, 0 random, -> 1 bursty.
burstiness as (

    select
        account_id,
        case when start_gaps >= 2 and sd + mean > 0 then (sd - mean) / (sd + mean) end
            as session_burstiness
    from (
        select
            account_id,
            start_gaps,
            start_gap_total * 1.0 / start_gaps as mean,
            sqrt(greatest(0.0,
                start_gap_total_sq / start_gaps
                - (start_gap_total * 1.0 / start_gaps) * (start_gap_total * 1.0 / start_gaps))) as sd
        from session_stats
        where start_gaps >= 1
    ) as s

),

slot_stats as (

    select
        account_id,
        sum(slot_sessions) as sessions,
        sum(case when slot_days >= 2 then slot_sessions else 0 end) as repeated_slot_sessions
    from (
        -- days per slot in two plain aggregations (count(distinct) over ~3.6M groups at
        -- 100k accounts cost 5 s alone)
        select account_id, bin, count(*) as slot_days, sum(occurrences) as slot_sessions
        from (
            select account_id, bin, local_day, sum(occurrences) as occurrences
            from bins
            where measure = 'slot'
            group by account_id, bin, local_day
        ) as d
        group by account_id, bin
    ) as s
    group by account_id

)

{%- set hours = [] %}{% for h in range(24) %}{% do hours.append('a.hour_%02d' % h) %}{% endfor %}

select
    a.account_id,
    d.active_days,
    a.events,
    a.posts,
    a.comments,
    a.likes,
    a.follows,
    a.dms,
    a.group_messages,
    a.logins,
    a.events * 1.0 / d.active_days as events_per_active_day,
    a.posts * 1.0 / d.active_days as posts_per_active_day,
    a.comments * 1.0 / d.active_days as comments_per_active_day,
    a.likes * 1.0 / d.active_days as likes_per_active_day,
    a.follows * 1.0 / d.active_days as follows_per_active_day,
    a.dms * 1.0 / d.active_days as dms_per_active_day,
    a.group_messages * 1.0 / d.active_days as group_messages_per_active_day,
    a.logins * 1.0 / d.active_days as logins_per_active_day,
    case when a.gaps >= 1 then m.gap_median_seconds end as gap_median_seconds,
    case when a.gaps >= 1 then a.gap_total * 1.0 / a.gaps end as gap_mean_seconds,
    {{ cv_from_sums('a.gaps', 'a.gap_total', 'a.gap_total_sq') }} as gap_cv,
    case when a.gaps >= 2 then ge.gap_entropy end as gap_entropy,
    a.sessions * 1.0 / d.active_days as sessions_per_active_day,
    a.events * 1.0 / a.sessions as events_per_session,
    {{ cv_from_sums('a.intra_gaps', 'a.intra_gap_total', 'a.intra_gap_total_sq') }} as intra_session_gap_cv,
    b.session_burstiness,
    -- Share of sessions starting in a 10-minute slot of the day the account also started a
    -- session in on another day: fixed daily slots, the mark of a scheduler.
    case when d.active_days >= 2 then st.repeated_slot_sessions * 1.0 / st.sessions end
        as session_slot_repeat_share,
    -- Shannon entropy of the hour-of-day distribution, divided by ln(24): 1 = spread
    -- evenly over the clock, 0 = one hour only.
    {{ normalised_entropy_of(hours, 24) }} as hour_entropy,
    -- The same over weekdays: people keep weekends and busy days; schedulers do not.
    we.weekday_entropy,
    a.night_events * 1.0 / a.events as night_share,
    d.daily_volume_cv,
    d.longest_daily_gap_hours
from per_account as a
inner join daily as d
    on a.account_id = d.account_id
left join weekday_entropy as we
    on a.account_id = we.account_id
left join gap_median as m
    on a.account_id = m.account_id
left join gap_entropy as ge
    on a.account_id = ge.account_id
left join burstiness as b
    on a.account_id = b.account_id
left join slot_stats as st
    on a.account_id = st.account_id
