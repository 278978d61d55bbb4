-- One row per account with at least one event in the window: volume and rhythm.
-- A fold of per-segment partial aggregates (macros/rhythm.sql explains segments and what
-- is stored per segment): the event days no later delivery can change any more
-- (event_day + late_event_days <= run date) come from int_account_days_summarised and
-- int_account_days_session_slots, built once per event day; the newer days (the run date
-- and the late_event_days - 1 before it) are aggregated here from the window's events
-- delivered by the run date, with the same macros. Then one lag over the account's
-- segments (about one row per five events) adds what happens across their joins: the
-- gaps between them, whether a segment's first event starts a session, the gaps between
-- session starts. So a daily build reads three days of events, not 28.
-- Exact but for the median gap, estimated from a quarter-octave histogram: within a factor
-- 2^(1/8) of the exact median of (gap + 1) seconds (macros/rhythm.sql). Means and CVs come
-- from sums and sums of squares (the same up to rounding).
-- Entropies (hour of day, weekday, gap size) use H = ln N - sum(c ln c) / N over per-bin
-- counts. Local days at the window's edges are partial (the window is cut in UTC); their
-- quiet stretches are measured only inside the window so a bot does not get a false 8 h gap.
{%- set w = feature_window() %}
{%- set session_break = var('session_break_minutes') | int * 60 %}
{%- set days = partial_window() %}
{%- set columns = rhythm_segment_columns() %}
{%- set bins = gap_histogram_bins() %}

with tail_events as (

    select account_id, event_type, event_ts, local_ts
    from {{ ref('int_events_windowed') }}
    where event_ts >= cast({{ days.tail_day }} as timestamp)

),

tail_sequenced as (
{{ rhythm_sequenced('tail_events') }}
),

segments as (

    select {{ columns | join(', ') }}
    from {{ ref('int_account_days_summarised') }}
    where account_id is not null
      and {{ settled_in_window() }}

    union all

    select {{ columns | join(', ') }}
    from ({{ rhythm_segments('tail_sequenced') }}) as t

),

-- Each segment with the join to the account's previous non-empty segment.
joined as (

    select
        s.*,
        {{ seconds_between(
            'lag(last_local_ts) over (partition by account_id order by first_local_ts)',
            'first_local_ts') }} as join_gap,
        lag(local_day) over (partition by account_id order by first_local_ts) as previous_local_day
    from segments as s

),

marked as (

    select
        j.*,
        join_gap is null or join_gap > {{ session_break }} as first_starts,
        {{ gap_quarter_octave('join_gap') }} as join_gap_bin
    from joined as j

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

per_account as (

    select
        account_id,
        sum(events) as events,
        sum(posts) as posts,
        sum(comments) as comments,
        sum(likes) as likes,
        sum(follows) as follows,
        sum(dms) as dms,
        sum(group_messages) as group_messages,
        sum(logins) as logins,
        sum(night_events) as night_events,
        {%- for h in range(24) %}
        sum(hour_{{ '%02d' % h }}) as hour_{{ '%02d' % h }},
        {%- endfor %}
        sum(gaps) + count(join_gap) as gaps,
        coalesce(sum(gap_sum), 0) + coalesce(sum(join_gap), 0) as gap_total,
        coalesce(sum(gap_sum_sq), 0) + coalesce(sum(join_gap * join_gap), 0) as gap_total_sq,
        sum(intra_gaps) + count(case when join_gap <= {{ session_break }} then 1 end) as intra_gaps,
        coalesce(sum(intra_gap_sum), 0)
            + coalesce(sum(case when join_gap <= {{ session_break }} then join_gap end), 0) as intra_gap_total,
        coalesce(sum(intra_gap_sum_sq), 0)
            + coalesce(sum(case when join_gap <= {{ session_break }} then join_gap * join_gap end), 0)
            as intra_gap_total_sq,
        sum(session_starts) + count(case when first_starts then 1 end) as sessions,
        {%- for b in range(bins) %}
        sum(gap_q{{ '%02d' % b }}) + count(case when join_gap_bin = {{ b }} then 1 end) as gap_q{{ '%02d' % b }}{{ ',' if not loop.last }}
        {%- endfor %}
    from marked
    group by account_id

),

-- The median gap's bins: those of the two middle gaps (ranks), found block by block.
gap_median as (

    select
        account_id,
        ({{ gap_bin_centre(histogram_bin_of_rank('gap_q', bins, 'floor((gaps + 1) / 2)')) }}
         + {{ gap_bin_centre(histogram_bin_of_rank('gap_q', bins, 'floor(gaps / 2) + 1')) }}) / 2
            as gap_median_seconds
    from (
        select
            account_id,
            gaps,
            {%- for b in range(bins) %}
            gap_q{{ '%02d' % b }},
            {%- endfor %}
            {{ histogram_block_totals('gap_q', bins) }}
        from per_account
        where gaps >= 1
    ) as h

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

start_joins as (

    select
        account_id,
        inner_gaps,
        inner_sum,
        inner_sum_sq,
        {{ seconds_between(
            'lag(last_start) over (partition by account_id order by first_local_ts)',
            'first_start') }} as start_join_gap
    from segment_starts

),

session_stats as (

    select
        account_id,
        sum(inner_gaps) + count(start_join_gap) as start_gaps,
        sum(inner_sum) + coalesce(sum(start_join_gap), 0) as start_gap_total,
        sum(inner_sum_sq) + coalesce(sum(start_join_gap * start_join_gap), 0) as start_gap_total_sq
    from start_joins
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

slot_days as (

    select account_id, day_slot, count(distinct local_day) as slot_days, sum(session_starts) as slot_sessions
    from (
        select account_id, local_day, day_slot, session_starts
        from {{ ref('int_account_days_session_slots') }}
        where account_id is not null
          and {{ settled_in_window() }}
        union all
        select account_id, local_day, day_slot, session_starts
        from ({{ rhythm_session_slots('tail_sequenced') }}) as t
        union all
        select account_id, local_day, {{ day_slot('first_local_ts') }} as day_slot, 1 as session_starts
        from marked
        where first_starts
    ) as starts
    group by account_id, day_slot

),

slot_stats as (

    select
        account_id,
        sum(slot_sessions) as sessions,
        sum(case when slot_days >= 2 then slot_sessions else 0 end) as repeated_slot_sessions
    from slot_days
    group by account_id

)

{%- set hours = [] %}{% for h in range(24) %}{% do hours.append('a.hour_%02d' % h) %}{% endfor %}
{%- set half_octaves = [] %}
{%- for h in range(31) %}{% do half_octaves.append('(a.gap_q%02d + a.gap_q%02d)' % (2 * h, 2 * h + 1)) %}{% endfor %}
{%- set top = [] %}{% for b in range(62, bins) %}{% do top.append('a.gap_q%02d' % b) %}{% endfor %}
{%- do half_octaves.append('(' ~ (top | join(' + ')) ~ ')') %}

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
    m.gap_median_seconds,
    case when a.gaps >= 1 then a.gap_total * 1.0 / a.gaps end as gap_mean_seconds,
    {{ cv_from_sums('a.gaps', 'a.gap_total', 'a.gap_total_sq') }} as gap_cv,
    -- Gap sizes in half-octave bins (x1.41 each, 0 .. 31, the last holding >= ~13 h).
    case when a.gaps >= 2 then {{ normalised_entropy_of(half_octaves, 32) }} end as gap_entropy,
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
left join burstiness as b
    on a.account_id = b.account_id
left join slot_stats as st
    on a.account_id = st.account_id
