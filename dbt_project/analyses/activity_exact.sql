-- The rhythm family computed directly from the run date's window of events, in one pass:
-- what int_accounts_activity_summarised computed before it became a fold of per-day
-- pieces (int_account_days_active). Not built by `dbt run` (an analysis): the equality
-- test (tests/integration/test_incremental_features.py) holds the fold to it, column by
-- column.
--
-- One row per account with at least one event in the window: volume and rhythm of the
-- account's hand-driven activity (client app or web).
-- Events through the api (third-party or automation access, contract 1.1) are left out
-- when the account also acted from the app or the web in the window: a scheduling tool's
-- posts keep the tool's clock, not the person's, and timing was the only evidence behind
-- the scheduler users terminated on seed 606 (docs/models.md). An account that acted only
-- through the api is measured on those events: then the api's clock is the account's.
-- The api's share of an account's events is the devices family's api_client_share.
-- One window pass (lag over the account's events in time order) feeds two aggregations:
-- per local day (volume, longest quiet stretch) and per account (gaps, sessions, mix).
-- Entropies (hour of day, weekday, gap size) come from one small count table each,
-- grouped by (account, bin), and the identity H = ln N - sum(c ln c) / N: three narrow
-- hash aggregations instead of 63 filtered counts per event (those were ~60% of this
-- model's time at 11M events) or histogram(); portable to every engine.
-- Sessions: a gap of more than session_break_minutes starts a new session. Session
-- statistics are taken without numbering sessions (no second window over all events):
-- session starts are the events after a long gap, and only those few rows are sorted again.
-- Local days at the window's edges are partial (the window is cut in UTC); their quiet
-- stretches are measured only inside the window so a bot does not get a false 8 h gap.
{%- set w = feature_window() %}
{%- set day_start = 'greatest(cast(cast(local_ts as date) as timestamp), ' ~ w.local_window_start ~ ')' %}
{%- set session_break = var('session_break_minutes') | int * 60 %}
{#- Gap size in half-octave bins (x1.41 each): 0 .. 31, the last holding >= ~18 h. #}
{%- set gap_bin = 'least(31, cast(floor(2 * ' ~ log2('gap_seconds + 1') ~ ') as integer))' %}
{%- set day_end = 'least(' ~ dbt.dateadd('day', 1, 'cast(local_day as timestamp)') ~ ', ' ~ w.local_window_end ~ ')' %}

-- The window's events are read from the view in each CTE below, not through one CTE: a
-- CTE read three times is materialised by DuckDB (measured: +150 MiB at 20k accounts x
-- 14 days, which grows with the window's events).
-- Accounts with api events, and those of them with none from the app or the web in the
-- window (few: api events are a small share, so the join probes a small table).
with api_accounts as (

    select distinct account_id
    from {{ ref('int_events_windowed') }}
    where client = 'api'

),

api_only_accounts as (

    select account_id
    from api_accounts

    except

    select distinct w.account_id
    from {{ ref('int_events_windowed') }} as w
    inner join api_accounts as a
        on w.account_id = a.account_id
    where coalesce(w.client, '') <> 'api'

),

events as (

    select account_id, event_type, local_ts
    from {{ ref('int_events_windowed') }}
    where coalesce(client, '') <> 'api'
       or account_id in (select account_id from api_only_accounts)

),

-- The one sort of all events (by account and time): as few columns as possible ride
-- along (day and hour are derived after it), and no tie-breaker on event_id: events at
-- the same instant give the same previous timestamp in any order, so nothing below
-- depends on how ties are ordered (halves the sort at 11M events).
sequenced as (

    select
        account_id,
        event_type,
        local_ts,
        lag(local_ts) over (partition by account_id order by local_ts) as previous_local_ts
    from events

),

gaps as (

    select
        account_id,
        event_type,
        local_ts,
        cast(local_ts as date) as local_day,
        cast(extract(hour from local_ts) as integer) as local_hour,
        {{ seconds_between('previous_local_ts', 'local_ts') }} as gap_seconds,
        previous_local_ts is null
            or {{ seconds_between('previous_local_ts', 'local_ts') }} > {{ session_break }}
            as starts_session,
        -- Quiet time before this event within its local day: since the previous event if
        -- that was the same day, else since local midnight (or the window start).
        case
            when previous_local_ts is not null and cast(previous_local_ts as date) = cast(local_ts as date)
                then {{ seconds_between('previous_local_ts', 'local_ts') }}
            else {{ seconds_between(day_start, 'local_ts') }}
        end as quiet_before_seconds
    from sequenced

),

per_day as (

    select
        account_id,
        local_day,
        count(*) as events,
        -- Longest inactive stretch of the local calendar day, edges included
        -- (midnight -> first event, last event -> next midnight; clipped to the window).
        greatest(
            max(quiet_before_seconds),
            {{ seconds_between('max(local_ts)', day_end) }}
        ) as longest_quiet_seconds
    from gaps
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

per_account as (

    select
        account_id,
        count(*) as events,
        count(*) filter (where event_type = 'post') as posts,
        count(*) filter (where event_type = 'comment') as comments,
        count(*) filter (where event_type = 'like') as likes,
        count(*) filter (where event_type = 'follow') as follows,
        count(*) filter (where event_type = 'dm') as dms,
        count(*) filter (where event_type = 'group_message') as group_messages,
        count(*) filter (where event_type = 'login') as logins,
        count(*) filter (where local_hour < 6) as night_events,
        count(gap_seconds) as gaps,
        avg(gap_seconds) as gap_mean_seconds,
        count(*) filter (where starts_session) as sessions,
        {{ coefficient_of_variation('case when not starts_session then gap_seconds end') }}
            as intra_session_gap_cv,
        {{ median('gap_seconds') }} as gap_median_seconds,
        {{ coefficient_of_variation('gap_seconds') }} as gap_cv
    from gaps
    group by account_id

),

-- Distributions over hour of day, weekday and gap size (half-octave bins, x1.41 each,
-- 0 .. 31, the last holding >= ~18 h): one row per account and occupied bin.
hour_counts as (

    select account_id, local_hour as bin, count(*) as occurrences
    from gaps
    group by account_id, local_hour

),

weekday_counts as (

    select account_id, {{ day_of_week('local_day') }} as bin, count(*) as occurrences
    from gaps
    group by account_id, {{ day_of_week('local_day') }}

),

gap_bin_counts as (

    select
        account_id,
        {{ gap_bin }} as bin,
        count(*) as occurrences
    from gaps
    where gap_seconds is not null
    group by account_id, {{ gap_bin }}

),

entropies as (

    select
        h.account_id,
        h.hour_entropy,
        w.weekday_entropy,
        g.gap_entropy
    from (
        select account_id, {{ normalised_entropy('occurrences', 24) }} as hour_entropy
        from hour_counts group by account_id
    ) as h
    left join (
        select account_id, {{ normalised_entropy('occurrences', 7) }} as weekday_entropy
        from weekday_counts group by account_id
    ) as w
        on h.account_id = w.account_id
    left join (
        select account_id, {{ normalised_entropy('occurrences', 32) }} as gap_entropy
        from gap_bin_counts group by account_id
    ) as g
        on h.account_id = g.account_id

),

-- Session starts only (a small share of events): their regularity over the window.
session_starts as (

    select
        account_id,
        local_ts,
        local_day,
        -- 10-minute slot of the local day
        local_hour * 6 + cast(floor(extract(minute from local_ts) / 10) as integer) as day_slot,
        {{ seconds_between('lag(local_ts) over (partition by account_id order by local_ts)', 'local_ts') }}
            as session_gap_seconds
    from gaps
    where starts_session

),

slot_days as (

    select account_id, day_slot, count(distinct local_day) as slot_days, count(*) as slot_sessions
    from session_starts
    group by account_id, day_slot

),

session_stats as (

    select
        s.account_id,
        -- Goh & Barabasi burstiness of the time between session starts:
        -- (sd - mean) / (sd + mean): -1 perfectly periodic, 0 random, -> 1 bursty.
        case when count(s.session_gap_seconds) >= 2
                  and stddev_pop(s.session_gap_seconds) + avg(s.session_gap_seconds) > 0
             then (stddev_pop(s.session_gap_seconds) - avg(s.session_gap_seconds))
                  / (stddev_pop(s.session_gap_seconds) + avg(s.session_gap_seconds))
        end as session_burstiness
    from session_starts as s
    group by s.account_id

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
    a.gap_median_seconds,
    a.gap_mean_seconds,
    a.gap_cv,
    case when a.gaps >= 2 then en.gap_entropy end as gap_entropy,
    a.sessions * 1.0 / d.active_days as sessions_per_active_day,
    a.events * 1.0 / a.sessions as events_per_session,
    a.intra_session_gap_cv,
    ss.session_burstiness,
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
    en.weekday_entropy,
    a.night_events * 1.0 / a.events as night_share,
    d.daily_volume_cv,
    d.longest_daily_gap_hours
from per_account as a
inner join daily as d
    on a.account_id = d.account_id
inner join entropies as en
    on a.account_id = en.account_id
left join session_stats as ss
    on a.account_id = ss.account_id
left join slot_stats as st
    on a.account_id = st.account_id
