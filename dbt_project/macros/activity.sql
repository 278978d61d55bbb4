{#- The rhythm family's partial aggregate (int_account_days_active) and what its fold
    (int_accounts_activity_summarised) needs to stay exact.

    A piece is one account's events of one stream (by hand: the app, the web or no client;
    or the api), one UTC event day and one platform-local day: a UTC day holds the ends of
    two local days, and a local day is made of the pieces of two UTC days. Pieces are
    disjoint in time, so an account's gaps over the window are the gaps inside each piece
    plus one gap across each boundary between consecutive pieces, which the fold takes
    from the pieces' first and last events. Everything in the family is then a sum over
    pieces, a count per bin, or a mean and a spread combined exactly from
    per-piece counts, means and sums of squared deviations (m2, Chan et al.'s parallel
    variance: no sum of squares that cancels at a bot's constant gaps). The only figures
    kept per event are the gaps themselves (inner_gaps), for the exact median, and the
    10-minute slots of session starts (internal_start_slots). -#}

{#- Gap size in half-octave bins (x1.41 each): 0 .. 31, the last holding >= ~18 h. -#}
{% macro gap_bin(gap_seconds) -%}
    least(31, cast(floor(2 * {{ log2(gap_seconds ~ ' + 1') }}) as integer))
{%- endmacro %}

{#- The 10-minute slot of the local day (0 .. 143) of a local timestamp. -#}
{% macro day_slot(local_ts) -%}
    (cast(extract(hour from {{ local_ts }}) as integer) * 6
     + cast(floor(extract(minute from {{ local_ts }}) / 10) as integer))
{%- endmacro %}

{#- The values of `expr` in a group as an array, NULLs left out, in no particular order. -#}
{% macro collect_values(expr) -%}
  {{ return(adapter.dispatch('collect_values', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__collect_values(expr) -%}
  list({{ expr }}) filter (where {{ expr }} is not null)
{%- endmacro %}
{% macro spark__collect_values(expr) -%}
  collect_list({{ expr }})
{%- endmacro %}

{#- One row per element of an array column, in a select list. -#}
{% macro explode_values(expr) -%}
  {{ return(adapter.dispatch('explode_values', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__explode_values(expr) -%}
  unnest({{ expr }})
{%- endmacro %}
{% macro spark__explode_values(expr) -%}
  explode({{ expr }})
{%- endmacro %}

{#- A (bin, count) pair as one BIGINT, for a list of a piece's occupied bins: the count in
    the low 32 bits (a piece's count is far below 2^32), the bin above. One list per
    piece instead of a column per bin: pivoting 56 bins into columns cost 40 s of the
    partial's 72 s over 23M events, and most of a piece's bins are empty. -#}
{% macro bin_count_code(bin, count) -%}
    (cast({{ bin }} as bigint) * 4294967296 + {{ count }})
{%- endmacro %}
{% macro code_bin(code) -%}
    cast(floor({{ code }} / 4294967296) as integer)
{%- endmacro %}
{% macro code_count(code) -%}
    ({{ code }} - cast(floor({{ code }} / 4294967296) as bigint) * 4294967296)
{%- endmacro %}

{#- The piece's columns after its key (account_id, by_hand, local_day) and before
    event_day: what activity_pieces returns and int_account_days_active stores. -#}
{% macro activity_piece_columns() -%}
  {{ return([
      'events', 'posts', 'comments', 'likes', 'follows', 'dms', 'group_messages', 'logins',
      'night_events', 'first_ts', 'last_ts',
      'inner_gap_m2', 'inner_gap_max', 'inner_gaps',
      'intra_gaps', 'intra_gap_sum', 'intra_gap_m2',
      'internal_starts', 'first_internal_start_ts', 'last_internal_start_ts',
      'internal_start_gap_m2', 'internal_start_slots', 'hour_counts', 'gap_bin_counts',
  ]) }}
{%- endmacro %}

{#- One row per piece of `events` (a relation or subquery with account_id, client,
    event_type, event_ts and local_ts): key account_id, by_hand, local_day, then
    activity_piece_columns(), then event_day. Inside a piece:
      inner gaps      every gap between consecutive events (events - 1 of them; their
                      sum is last_ts - first_ts): m2, the largest, and the gaps;
      intra gaps      those of at most session_break_minutes: count, sum, m2;
      internal starts the events after a longer gap (whether the piece's first event
                      starts a session depends on the previous piece: the fold's call):
                      count, first, last, the m2 of the gaps between them, their slots;
      bins            events per local hour, inner gaps per gap_bin: lists of occupied
                      bins with their counts (bin_count_code). -#}
{% macro activity_pieces(events) -%}
{%- set session_break = var('session_break_minutes') | int * 60 %}
{%- set piece = 'account_id, by_hand, event_day, local_day' %}
    -- The piece's key computed before the sort, so that the window carries it and not
    -- the columns it is made of (measured: the window 28 s -> 18 s over 23.6M events).
    with keyed as (

        select
            account_id,
            coalesce(client, '') <> 'api' as by_hand,
            cast(event_ts as date) as event_day,
            cast(local_ts as date) as local_day,
            event_type,
            local_ts
        from {{ events }}

    ),

    sequenced as (

        select
            *,
            -- No tie-breaker: events at one instant give the same previous timestamp in
            -- any order.
            lag(local_ts) over (partition by {{ piece }} order by local_ts) as previous_local_ts
        from keyed

    ),

    gaps as (

        select
            {{ piece }},
            event_type,
            local_ts,
            cast(extract(hour from local_ts) as integer) as local_hour,
            {{ seconds_between('previous_local_ts', 'local_ts') }} as gap_seconds
        from sequenced

    ),

    piece_stats as (

        select
            {{ piece }},
            count(*) as events,
            count(*) filter (where event_type = 'post') as posts,
            count(*) filter (where event_type = 'comment') as comments,
            count(*) filter (where event_type = 'like') as likes,
            count(*) filter (where event_type = 'follow') as follows,
            count(*) filter (where event_type = 'dm') as dms,
            count(*) filter (where event_type = 'group_message') as group_messages,
            count(*) filter (where event_type = 'login') as logins,
            count(*) filter (where local_hour < 6) as night_events,
            min(local_ts) as first_ts,
            max(local_ts) as last_ts,
            coalesce(var_pop(gap_seconds) * count(gap_seconds), 0) as inner_gap_m2,
            max(gap_seconds) as inner_gap_max,
            {{ collect_values('gap_seconds') }} as inner_gaps,
            count(*) filter (where gap_seconds <= {{ session_break }}) as intra_gaps,
            coalesce(sum(gap_seconds) filter (where gap_seconds <= {{ session_break }}), 0) as intra_gap_sum,
            coalesce(
                var_pop(gap_seconds) filter (where gap_seconds <= {{ session_break }})
                * count(*) filter (where gap_seconds <= {{ session_break }}),
                0
            ) as intra_gap_m2
        from gaps
        group by {{ piece }}

    ),

    -- The events after a long gap (a small share): sorted again, for the gaps between
    -- consecutive session starts.
    internal_starts as (

        select
            {{ piece }},
            local_ts,
            {{ day_slot('local_ts') }} as day_slot,
            {{ seconds_between('lag(local_ts) over (partition by ' ~ piece ~ ' order by local_ts)', 'local_ts') }}
                as start_gap_seconds
        from gaps
        where gap_seconds > {{ session_break }}

    ),

    start_stats as (

        select
            {{ piece }},
            count(*) as internal_starts,
            min(local_ts) as first_internal_start_ts,
            max(local_ts) as last_internal_start_ts,
            coalesce(var_pop(start_gap_seconds) * count(start_gap_seconds), 0) as internal_start_gap_m2,
            {{ collect_values('day_slot') }} as internal_start_slots
        from internal_starts
        group by {{ piece }}

    ),

    -- The occupied bins of each piece with their counts, as one list each.
    hour_bins as (

        select {{ piece }}, {{ collect_values(bin_count_code('local_hour', 'occurrences')) }} as hour_counts
        from (
            select {{ piece }}, local_hour, count(*) as occurrences
            from gaps
            group by {{ piece }}, local_hour
        ) as h
        group by {{ piece }}

    ),

    gap_bins as (

        select {{ piece }}, {{ collect_values(bin_count_code('bin', 'occurrences')) }} as gap_bin_counts
        from (
            select {{ piece }}, {{ gap_bin('gap_seconds') }} as bin, count(*) as occurrences
            from gaps
            where gap_seconds is not null
            group by {{ piece }}, {{ gap_bin('gap_seconds') }}
        ) as g
        group by {{ piece }}

    )

    select
        p.account_id,
        p.by_hand,
        p.local_day,
        p.events,
        p.posts,
        p.comments,
        p.likes,
        p.follows,
        p.dms,
        p.group_messages,
        p.logins,
        p.night_events,
        p.first_ts,
        p.last_ts,
        p.inner_gap_m2,
        p.inner_gap_max,
        p.inner_gaps,
        p.intra_gaps,
        p.intra_gap_sum,
        p.intra_gap_m2,
        coalesce(s.internal_starts, 0) as internal_starts,
        s.first_internal_start_ts,
        s.last_internal_start_ts,
        coalesce(s.internal_start_gap_m2, 0) as internal_start_gap_m2,
        s.internal_start_slots,
        h.hour_counts,
        g.gap_bin_counts,
        p.event_day
    from piece_stats as p
    inner join hour_bins as h
        on p.account_id = h.account_id and p.by_hand = h.by_hand
        and p.event_day = h.event_day and p.local_day = h.local_day
    left join start_stats as s
        on p.account_id = s.account_id and p.by_hand = s.by_hand
        and p.event_day = s.event_day and p.local_day = s.local_day
    left join gap_bins as g
        on p.account_id = g.account_id and p.by_hand = g.by_hand
        and p.event_day = g.event_day and p.local_day = g.local_day
{%- endmacro %}
