{#- The rhythm family in two steps: partial aggregates per account and *segment*, then a
    fold over the run date's window (int_accounts_activity_summarised).

    A segment is the part of one UTC event day that falls in one platform-local calendar
    day: (account_id, event_day, local_day). With a whole-hour offset a UTC day holds two
    of them (one for a zero offset). Segments are disjoint, contiguous stretches of time,
    so everything the old single pass computed from consecutive events splits into what
    happens inside a segment (stored per segment, computed once) and what happens at the
    joins between an account's consecutive non-empty segments (one lag over segments,
    about 1 row per 5 events, at fold time):
      - counts, per-type counts, night events, per-hour counts: sums;
      - gaps between consecutive events: count, sum and sum of squares inside the
        segment, plus the gap across each join (first event minus the previous
        segment's last event); means and CVs from those (exact up to rounding);
      - sessions: a gap over session_break_minutes starts one; inside a segment that is
        known, and a segment's first event starts one when the gap across its join is
        long (or it is the account's first event in the window);
      - the gaps between session starts (session burstiness): inside a segment from its
        first and last internal start and the sum / sum of squares of the gaps between
        them, across joins from the previous segment that had a start;
      - the longest quiet stretch of a local day: the largest gap inside its segments,
        across the join of its two segments, and its edges;
      - the median gap: from a histogram in quarter-octave bins of (gap + 1) seconds,
        gap_histogram_bins of them; the estimate is the mean of the bin centres holding
        the two middle gaps, so it is within a factor 2^(1/8) of the exact median of
        (gap + 1): at most 9.1% off (docs/benchmarks.md). The gap entropy's half-octave
        bins are pairs of these (floor(b / 2) is floor(2 log2(gap + 1)) exactly).
    The histogram and the session starts by 10-minute slot of the local day (the slot
    repeat share) are long rows, one per occupied bin (int_account_days_binned): an
    account-day occupies a few of 96 gap bins and 144 slots, and the fold sums them with
    one narrow GROUP BY instead of carrying wide columns through its sort. -#}

{#- Quarter-octave bins of (gap + 1): 0 .. gap_histogram_bins - 1, the last holding
    everything from 2^((bins - 1) / 4) - 1 seconds on (96 bins: ~160 days, beyond any
    window). -#}
{% macro gap_histogram_bins() -%}{{ return(96) }}{%- endmacro %}

{#- NULL for a NULL gap (least() skips NULLs: it would put them in the last bin). -#}
{% macro gap_quarter_octave(seconds) -%}
  case when {{ seconds }} is not null
       then least({{ gap_histogram_bins() - 1 }}, cast(floor(4 * {{ log2(seconds ~ ' + 1') }}) as integer)) end
{%- endmacro %}

{#- Events in time order within each segment, from `events` (a relation or CTE with
    account_id, event_type, local_ts and event_ts): one row per event with its segment,
    local hour, the gap since the previous event of the same segment (NULL for the first),
    its quarter-octave bin and whether that gap starts a session. -#}
{% macro rhythm_sequenced(events) -%}
  {%- set session_break = var('session_break_minutes') | int * 60 %}
    select
        account_id,
        event_day,
        local_day,
        event_type,
        local_ts,
        cast(extract(hour from local_ts) as integer) as local_hour,
        gap_seconds,
        {{ gap_quarter_octave('gap_seconds') }} as gap_bin,
        gap_seconds > {{ session_break }} as starts_session
    from (
        select
            account_id,
            cast(event_ts as date) as event_day,
            cast(local_ts as date) as local_day,
            event_type,
            local_ts,
            {{ seconds_between(
                'lag(local_ts) over (partition by account_id, cast(event_ts as date), cast(local_ts as date) order by local_ts)',
                'local_ts') }} as gap_seconds
        from {{ events }}
    ) as s
{%- endmacro %}

{#- One row per segment of `sequenced` (rhythm_sequenced's rows): see the top of this file. -#}
{% macro rhythm_segments(sequenced) -%}
  {%- set session_break = var('session_break_minutes') | int * 60 %}
    select
        seg.*,
        st.start_gaps,
        st.start_gap_sum,
        st.start_gap_sum_sq
    from (
        select
            account_id,
            event_day,
            local_day,
            count(*) as events,
            count(case when event_type = 'post' then 1 end) as posts,
            count(case when event_type = 'comment' then 1 end) as comments,
            count(case when event_type = 'like' then 1 end) as likes,
            count(case when event_type = 'follow' then 1 end) as follows,
            count(case when event_type = 'dm' then 1 end) as dms,
            count(case when event_type = 'group_message' then 1 end) as group_messages,
            count(case when event_type = 'login' then 1 end) as logins,
            count(case when local_hour < 6 then 1 end) as night_events,
            {%- for h in range(24) %}
            count(case when local_hour = {{ h }} then 1 end) as hour_{{ '%02d' % h }},
            {%- endfor %}
            min(local_ts) as first_local_ts,
            max(local_ts) as last_local_ts,
            count(gap_seconds) as gaps,
            sum(gap_seconds) as gap_sum,
            sum(gap_seconds * gap_seconds) as gap_sum_sq,
            max(gap_seconds) as gap_max,
            count(case when not starts_session then gap_seconds end) as intra_gaps,
            sum(case when not starts_session then gap_seconds end) as intra_gap_sum,
            sum(case when not starts_session then gap_seconds * gap_seconds end) as intra_gap_sum_sq,
            count(case when starts_session then 1 end) as session_starts,
            min(case when starts_session then local_ts end) as first_start_local_ts,
            max(case when starts_session then local_ts end) as last_start_local_ts
        from {{ sequenced }}
        group by account_id, event_day, local_day
    ) as seg
    left join (
        -- Gaps between consecutive internal session starts (a few rows per segment).
        select
            account_id,
            event_day,
            local_day,
            count(start_gap) as start_gaps,
            sum(start_gap) as start_gap_sum,
            sum(start_gap * start_gap) as start_gap_sum_sq
        from (
            select
                account_id,
                event_day,
                local_day,
                {{ seconds_between(
                    'lag(local_ts) over (partition by account_id, event_day, local_day order by local_ts)',
                    'local_ts') }} as start_gap
            from {{ sequenced }}
            where starts_session
        ) as starts
        group by account_id, event_day, local_day
    ) as st
        on seg.account_id = st.account_id
        and seg.event_day = st.event_day
        and seg.local_day = st.local_day
{%- endmacro %}

{#- Long per-segment counts (int_account_days_binned's rows): measure 'gap' counts the
    segment's internal gaps per quarter-octave bin; measure 'slot' counts its internal
    session starts (after a gap inside the segment) per 10-minute slot of the local day. -#}
{% macro rhythm_bins(sequenced) -%}
    select account_id, event_day, local_day, 'gap' as measure, gap_bin as bin, count(*) as occurrences
    from {{ sequenced }}
    where gap_bin is not null
    group by account_id, event_day, local_day, gap_bin
    union all
    select account_id, event_day, local_day, 'slot' as measure, {{ day_slot('local_ts') }} as bin, count(*) as occurrences
    from {{ sequenced }}
    where starts_session
    group by account_id, event_day, local_day, {{ day_slot('local_ts') }}
{%- endmacro %}

{#- Entropy (normalised_entropy's formula) of a distribution given as one count expression
    per bin, on one row: H = ln N - sum(c ln c) / N, divided by ln(n_bins); NULL when N is 0. -#}
{% macro normalised_entropy_of(counts, n_bins) -%}
  case when ({{ counts | join(' + ') }}) > 0 then
    least(1.0, greatest(0.0,
      (ln(({{ counts | join(' + ') }}) * 1.0)
       - ({% for c in counts %}case when {{ c }} > 0 then {{ c }} * ln({{ c }} * 1.0) else 0 end{{ ' + ' if not loop.last }}{% endfor %})
         / ({{ counts | join(' + ') }}))
      / ln({{ n_bins }}.0)))
  end
{%- endmacro %}

{#- The centre of quarter-octave bin `b` in seconds: 2^((b + 0.5) / 4) - 1. -#}
{% macro gap_bin_centre(b) -%}
  (power(2.0, ({{ b }} + 0.5) / 4.0) - 1)
{%- endmacro %}

{#- rhythm_segments' columns, in its order (marker rows and unions list them from here). -#}
{% macro rhythm_segment_columns() -%}
  {%- set columns = ['account_id', 'event_day', 'local_day', 'events', 'posts', 'comments',
                     'likes', 'follows', 'dms', 'group_messages', 'logins', 'night_events'] -%}
  {%- for h in range(24) %}{% do columns.append('hour_%02d' % h) %}{% endfor -%}
  {%- do columns.extend(['first_local_ts', 'last_local_ts', 'gaps', 'gap_sum', 'gap_sum_sq',
                         'gap_max', 'intra_gaps', 'intra_gap_sum', 'intra_gap_sum_sq',
                         'session_starts', 'first_start_local_ts', 'last_start_local_ts']) -%}
  {%- do columns.extend(['start_gaps', 'start_gap_sum', 'start_gap_sum_sq']) -%}
  {{ return(columns) }}
{%- endmacro %}

{#- The 10-minute slot of the local day (0 .. 143) of a local timestamp. -#}
{% macro day_slot(local_ts) -%}
  (cast(extract(hour from {{ local_ts }}) as integer) * 6 + cast(floor(extract(minute from {{ local_ts }}) / 10) as integer))
{%- endmacro %}

{#- Population coefficient of variation from a count, a sum and a sum of squares; NULL below
    two observations or at mean 0 (coefficient_of_variation's rule). -#}
{% macro cv_from_sums(n, total, total_sq) -%}
  case when {{ n }} >= 2 and {{ total }} > 0
       then sqrt(greatest(0.0, {{ total_sq }} / {{ n }} - ({{ total }} * 1.0 / {{ n }}) * ({{ total }} * 1.0 / {{ n }})))
            / ({{ total }} * 1.0 / {{ n }})
  end
{%- endmacro %}
