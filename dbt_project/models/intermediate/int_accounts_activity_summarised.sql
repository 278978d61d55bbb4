-- One row per account with at least one event in the window: volume and rhythm of the
-- account's hand-driven activity (client app or web).
-- Events through the api (third-party or automation access, contract 1.1) are left out
-- when the account also acted from the app or the web in the window: a scheduling tool's
-- posts keep the tool's clock, not the person's, and timing was the only evidence behind
-- the scheduler users terminated on seed 606 (docs/models.md). An account that acted only
-- through the api is measured on those events: then the api's clock is the account's.
-- The api's share of an account's events is the devices family's api_client_share.
-- A fold of per-day pieces (int_account_days_active, macros/activity.sql): the settled
-- days from that table, the newest from the window's events (partial_window), so a daily
-- build sorts a few days' events instead of the window's. Exact: the analysis
-- activity_exact (the one pass over the window's events this model used to be) is its
-- reference, column by column.
-- The pieces of an account, in time order, give each boundary's gap (first event of a
-- piece minus the last of the one before): with the gaps inside the pieces, every gap the
-- one pass took. Means and spreads combine per-piece counts, sums and m2 (sums of squared
-- deviations from the piece's mean) exactly; entropies add up the pieces' counts per bin
-- and use H = ln N - sum(c ln c) / N; the median takes every gap.
-- Sessions: a gap of more than session_break_minutes starts a new session. Whether a
-- piece's first event starts one depends on the boundary gap before it; the gaps between
-- session starts are those inside pieces, plus the one from the latest start before the
-- piece.
-- Local days at the window's edges are partial (the window is cut in UTC); their quiet
-- stretches are measured only inside the window so a bot does not get a false 8 h gap.
{%- set w = feature_window() %}
{%- set days = partial_window() %}
{%- set session_break = var('session_break_minutes') | int * 60 %}
{%- set columns = activity_piece_columns() %}
{%- set day_start = 'greatest(cast(local_day as timestamp), ' ~ w.local_window_start ~ ')' %}
{%- set day_end = 'least(' ~ dbt.dateadd('day', 1, 'cast(local_day as timestamp)') ~ ', ' ~ w.local_window_end ~ ')' %}

-- The newest days' pieces, from the window's events (none on the newest delivery date:
-- partial_window). Small, and read by every reader of pieces below: computed once.
with tail_pieces as {{ cte_materialized(true) }} (

    {{ activity_pieces("(select account_id, client, event_type, event_ts, local_ts from " ~ ref('int_events_windowed') ~ " where event_ts >= cast(" ~ days.tail_day ~ " as timestamp))") }}

),

-- The window's pieces: settled days from the partial, the newest from tail_pieces. Not
-- materialised: its readers take a few of its 80 columns each, and a copy of them all
-- (lists of gaps included) cost more than the fold (measured: 6 s of 2.6M pieces).
pieces as {{ cte_materialized(false) }} (

    select account_id, by_hand, local_day, {{ columns | join(', ') }}
    from {{ ref('int_account_days_active') }}
    where account_id is not null
      and {{ settled_in_window() }}

    union all

    select account_id, by_hand, local_day, {{ columns | join(', ') }}
    from tail_pieces

),

-- Accounts with api pieces, and those of them with none by hand in the window (few).
api_accounts as (

    select distinct account_id
    from pieces
    where not by_hand

),

api_only_accounts as (

    select account_id
    from api_accounts

    except

    select distinct p.account_id
    from pieces as p
    inner join api_accounts as a
        on p.account_id = a.account_id
    where p.by_hand

),

{%- set chosen = "(by_hand or account_id in (select account_id from api_only_accounts))" %}

-- The account's pieces in time order, with the narrow columns the boundaries need only:
-- the window's sort carries no bins and no lists.
linked as (

    select
        account_id,
        local_day,
        first_ts,
        last_ts,
        events,
        inner_gap_m2,
        inner_gap_max,
        intra_gaps,
        intra_gap_sum,
        intra_gap_m2,
        internal_starts,
        first_internal_start_ts,
        last_internal_start_ts,
        internal_start_gap_m2,
        lag(last_ts) over (partition by account_id order by first_ts) as previous_last_ts,
        lag(local_day) over (partition by account_id order by first_ts) as previous_local_day
    from pieces
    where {{ chosen }}

),

bounded as (

    select
        *,
        -- The gap across the boundary before the piece (NULL for the account's first).
        {{ seconds_between('previous_last_ts', 'first_ts') }} as boundary_gap,
        previous_last_ts is null
            or {{ seconds_between('previous_last_ts', 'first_ts') }} > {{ session_break }}
            as first_starts_session
    from linked

),

started as (

    select
        *,
        case when first_starts_session then first_ts else first_internal_start_ts end as first_start_ts,
        case
            when internal_starts > 0 then last_internal_start_ts
            when first_starts_session then first_ts
        end as last_start_ts
    from bounded

),

-- Per piece, three groups of gaps as (count, sum, m2, and the boundary's one gap):
-- every gap; gaps within a session; gaps between session starts.
terms as (

    select
        *,
        -- the latest session start before the piece (starts only move forward in time)
        max(last_start_ts) over (
            partition by account_id order by first_ts
            rows between unbounded preceding and 1 preceding
        ) as previous_start_ts
    from started

),

grouped as (

    select
        account_id,
        local_day,
        previous_local_day,
        first_ts,
        last_ts,
        events,
        inner_gap_max,
        boundary_gap,
        first_starts_session,
        internal_starts,
        -- every gap
        events - 1 as inner_n,
        {{ seconds_between('first_ts', 'last_ts') }} as inner_sum,
        inner_gap_m2 as inner_m2,
        -- within a session
        intra_gaps as intra_n,
        intra_gap_sum as intra_sum,
        intra_gap_m2 as intra_m2,
        case when boundary_gap <= {{ session_break }} then boundary_gap end as intra_boundary_gap,
        -- between session starts: inside the piece, from its first event to its first
        -- internal start (when the first event starts a session), and from the latest
        -- start before the piece
        case when internal_starts > 0 then internal_starts - 1 else 0 end as start_n,
        case when internal_starts > 0
             then {{ seconds_between('first_internal_start_ts', 'last_internal_start_ts') }}
             else 0 end as start_sum,
        internal_start_gap_m2 as start_m2,
        case when first_starts_session and internal_starts > 0
             then {{ seconds_between('first_ts', 'first_internal_start_ts') }} end as start_lead_gap,
        {{ seconds_between('previous_start_ts', 'first_start_ts') }} as start_boundary_gap
    from terms

),

-- Counts and sums per account, for the means the m2 below are taken around.
account_sums as (

    select
        account_id,
        sum(inner_n) + count(boundary_gap) as gap_n,
        sum(inner_sum) + coalesce(sum(boundary_gap), 0) as gap_sum,
        sum(intra_n) + count(intra_boundary_gap) as intra_n,
        sum(intra_sum) + coalesce(sum(intra_boundary_gap), 0) as intra_sum,
        sum(start_n) + count(start_lead_gap) + count(start_boundary_gap) as start_n,
        sum(start_sum) + coalesce(sum(start_lead_gap), 0) + coalesce(sum(start_boundary_gap), 0) as start_sum
    from grouped
    group by account_id

),

account_means as (

    select
        *,
        case when gap_n > 0 then gap_sum / gap_n end as gap_mean,
        case when intra_n > 0 then intra_sum / intra_n end as intra_mean,
        case when start_n > 0 then start_sum / start_n end as start_mean
    from account_sums

),

-- Chan et al.: m2 of a union = sum of the parts' m2 + sum of n (part mean - mean)^2.
spreads as (

    select
        g.account_id,
        sum(
            g.inner_m2
            + case when g.inner_n > 0 then g.inner_n * power(g.inner_sum / g.inner_n - m.gap_mean, 2) else 0 end
            + coalesce(power(g.boundary_gap - m.gap_mean, 2), 0)
        ) as gap_m2,
        sum(
            g.intra_m2
            + case when g.intra_n > 0 then g.intra_n * power(g.intra_sum / g.intra_n - m.intra_mean, 2) else 0 end
            + coalesce(power(g.intra_boundary_gap - m.intra_mean, 2), 0)
        ) as intra_m2,
        sum(
            g.start_m2
            + case when g.start_n > 0 then g.start_n * power(g.start_sum / g.start_n - m.start_mean, 2) else 0 end
            + coalesce(power(g.start_lead_gap - m.start_mean, 2), 0)
            + coalesce(power(g.start_boundary_gap - m.start_mean, 2), 0)
        ) as start_m2
    from grouped as g
    inner join account_means as m
        on g.account_id = m.account_id
    group by g.account_id

),

dispersion as (

    select
        m.account_id,
        m.gap_mean,
        case when m.gap_n >= 2 and m.gap_mean > 0
             then sqrt(s.gap_m2 / m.gap_n) / m.gap_mean end as gap_cv,
        case when m.intra_n >= 2 and m.intra_mean > 0
             then sqrt(s.intra_m2 / m.intra_n) / m.intra_mean end as intra_session_gap_cv,
        -- Goh & Barabasi burstiness of the time between session starts:
        -- (sd - mean) / (sd + mean): -1 perfectly periodic, 0 random, -> 1 bursty.
        case when m.start_n >= 2 and sqrt(s.start_m2 / m.start_n) + m.start_mean > 0
             then (sqrt(s.start_m2 / m.start_n) - m.start_mean)
                  / (sqrt(s.start_m2 / m.start_n) + m.start_mean)
        end as session_burstiness
    from account_means as m
    inner join spreads as s
        on m.account_id = s.account_id

),

-- Every gap, for the exact median: the pieces' own and the boundaries'.
all_gaps as (

    select account_id, {{ explode_values('inner_gaps') }} as gap_seconds
    from pieces
    where events > 1
      and {{ chosen }}

    union all

    select account_id, boundary_gap as gap_seconds
    from bounded
    where boundary_gap is not null

),

medians as (

    select account_id, {{ median('gap_seconds') }} as gap_median_seconds
    from all_gaps
    group by account_id

),

-- Per-account sums of the pieces' counts, read from the pieces directly (no sort), and
-- the session starts the boundaries add (a piece's first event that starts one).
piece_sums as (

    select
        account_id,
        {%- for column in ['events', 'posts', 'comments', 'likes', 'follows', 'dms', 'group_messages', 'logins', 'night_events', 'internal_starts'] %}
        cast(sum({{ column }}) as bigint) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from pieces
    where {{ chosen }}
    group by account_id

),

boundary_starts as (

    select account_id, count(*) filter (where first_starts_session) as first_session_starts
    from bounded
    group by account_id

),

per_account as (

    select
        p.account_id,
        p.events,
        p.posts,
        p.comments,
        p.likes,
        p.follows,
        p.dms,
        p.group_messages,
        p.logins,
        p.night_events,
        p.internal_starts + b.first_session_starts as sessions
    from piece_sums as p
    inner join boundary_starts as b
        on p.account_id = b.account_id

),

-- Distributions over hour of day and gap size (half-octave bins, x1.41 each, 0 .. 31,
-- the last holding >= ~18 h): one row per account and occupied bin, from the pieces'
-- (bin, count) lists, and for gaps each boundary's gap too.
hour_counts as (

    select account_id, {{ code_bin('code') }} as bin, sum({{ code_count('code') }}) as occurrences
    from (
        select account_id, {{ explode_values('hour_counts') }} as code
        from pieces
        where {{ chosen }}
    ) as h
    group by account_id, {{ code_bin('code') }}

),

gap_bin_counts as (

    select account_id, bin, sum(occurrences) as occurrences
    from (
        select account_id, {{ code_bin('code') }} as bin, {{ code_count('code') }} as occurrences
        from (
            select account_id, {{ explode_values('gap_bin_counts') }} as code
            from pieces
            where events > 1
              and {{ chosen }}
        ) as g

        union all

        select account_id, {{ gap_bin('boundary_gap') }} as bin, 1 as occurrences
        from bounded
        where boundary_gap is not null
    ) as b
    group by account_id, bin

),

entropies as (

    select
        h.account_id,
        h.hour_entropy,
        g.gap_entropy
    from (
        select account_id, {{ normalised_entropy('occurrences', 24) }} as hour_entropy
        from hour_counts group by account_id
    ) as h
    left join (
        select account_id, {{ normalised_entropy('occurrences', 32) }} as gap_entropy
        from gap_bin_counts group by account_id
    ) as g
        on h.account_id = g.account_id

),

per_day as (

    select
        account_id,
        local_day,
        cast(sum(events) as bigint) as events,
        -- Longest inactive stretch of the local calendar day, edges included
        -- (midnight -> first event, last event -> next midnight; clipped to the window):
        -- the gaps inside its pieces, the boundary between its two pieces, and its edges.
        greatest(
            max(case when previous_local_day = local_day then boundary_gap
                     else {{ seconds_between(day_start, 'first_ts') }} end),
            coalesce(max(inner_gap_max), 0),
            {{ seconds_between('max(last_ts)', day_end) }}
        ) as longest_quiet_seconds
    from bounded
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

-- Session starts (a small share of events): their 10-minute slots of the local day.
session_starts as (

    select account_id, local_day, {{ explode_values('internal_start_slots') }} as day_slot
    from pieces
    where internal_starts > 0
      and {{ chosen }}

    union all

    select account_id, local_day, {{ day_slot('first_ts') }} as day_slot
    from bounded
    where first_starts_session

),

slot_days as (

    select
        account_id,
        day_slot,
        -- A local day holds at most one session start per 10-minute slot when a session
        -- break is at least that long (a second start would need the break since the
        -- first): then the days are the starts, and no distinct count is needed.
        {%- if session_break >= 600 %}
        count(*) as slot_days,
        {%- else %}
        count(distinct local_day) as slot_days,
        {%- endif %}
        count(*) as slot_sessions
    from session_starts
    group by account_id, day_slot

),

slot_stats as (

    select
        account_id,
        sum(slot_sessions) as sessions,
        sum(case when slot_days >= 2 then slot_sessions else 0 end) as repeated_slot_sessions,
        -- for each session, the other days its slot was used on
        sum(slot_sessions * (slot_days - 1)) as slot_recurrences
    from slot_days
    group by account_id

)

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
    md.gap_median_seconds,
    ds.gap_mean as gap_mean_seconds,
    ds.gap_cv,
    -- at least two gaps, as the one pass had it
    case when a.events >= 3 then en.gap_entropy end as gap_entropy,
    a.sessions * 1.0 / d.active_days as sessions_per_active_day,
    a.events * 1.0 / a.sessions as events_per_session,
    ds.intra_session_gap_cv,
    ds.session_burstiness,
    -- Share of sessions starting in a 10-minute slot of the day the account also started a
    -- session in on another day: fixed daily slots, the mark of a scheduler.
    case when d.active_days >= 2 then st.repeated_slot_sessions * 1.0 / st.sessions end
        as session_slot_repeat_share,
    -- Mean over sessions of the share of the account's other active days on which a
    -- session also started in the same 10-minute slot: how much of the time the account
    -- keeps its slots. A repeat on any one other day (the share above) comes by chance
    -- to anyone with many sessions (power users: median 0.42, 90th percentile 0.55 on
    -- seed 88); a slot kept on most days does not (people's 99th percentile 0.08, the
    -- stealth rings' 10th 0.35, the same world). NULL below three active days. A double
    -- before the divisions: Spark would carry a decimal of six places through both.
    case when d.active_days >= 3
         then cast(st.slot_recurrences as double) / st.sessions / (d.active_days - 1) end
        as session_slot_recurrence,
    -- Shannon entropy of the hour-of-day distribution, divided by ln(24): 1 = spread
    -- evenly over the clock, 0 = one hour only.
    en.hour_entropy,
    -- The same over weekdays: people keep weekends and busy days; schedulers do not.
    we.weekday_entropy,
    a.night_events * 1.0 / a.events as night_share,
    d.daily_volume_cv,
    d.longest_daily_gap_hours
from per_account as a
inner join daily as d
    on a.account_id = d.account_id
inner join entropies as en
    on a.account_id = en.account_id
inner join weekday_entropy as we
    on a.account_id = we.account_id
left join dispersion as ds
    on a.account_id = ds.account_id
left join medians as md
    on a.account_id = md.account_id
left join slot_stats as st
    on a.account_id = st.account_id
