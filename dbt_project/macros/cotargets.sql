{#- The co-targeting family (int_account_days_cotargeted, int_account_pairs_cotargeted).

    An engagement is a comment, like or follow with a target: the post commented on
    (target_event_id), the account liked or followed (target_account_id). Two engagements
    of one target by two accounts coincide when they are at most var('cotarget_minutes')
    apart. -#}

{#- The window of a coincidence in seconds; under a day, so that a coincidence spans at
    most one UTC midnight (the per-day partial reads one neighbouring day, no more). -#}
{% macro cotarget_seconds() -%}
  {%- set seconds = var('cotarget_minutes') | int * 60 -%}
  {%- if seconds >= 86400 -%}
    {{ exceptions.raise_compiler_error("cotarget_minutes must be under a day, got " ~ var('cotarget_minutes')) }}
  {%- endif -%}
  {{ return(seconds) }}
{%- endmacro %}

{#- One row per engagement of `events` (a relation or a parenthesised query with
    account_id, event_ts, event_type, target_event_id, target_account_id) that has a
    target: account_id, event_ts, target. -#}
{% macro cotarget_engagements(events) -%}
    select account_id, event_ts, target
    from (
        select
            account_id,
            event_ts,
            case when event_type = 'comment' then target_event_id else target_account_id end as target
        from {{ events }}
        where event_type in ('comment', 'like', 'follow')
    ) as e
    where target is not null
{%- endmacro %}

{#- One row per coincidence among `kept` (a CTE of engagements: account_id, event_ts,
    target): the pair (account_a < account_b), the target, and first_ts, the earlier of
    the two engagements (the event day a per-day partial attributes it to).
    An equi-join on (target, time bucket) instead of on target alone: with buckets
    cotarget_seconds wide, two engagements that coincide are at most one bucket apart, so
    each engagement of `a` is offered to its own bucket and the two beside it, and each
    pair of engagements meets in exactly one of the three. (On target alone, a target's
    engagements all met each other, hours apart: ~18x the rows kept.) -#}
{% macro cotarget_coincidences(kept) -%}
  {%- set seconds = cotarget_seconds() -%}
  {%- set bucket = "cast(floor(" ~ seconds_between("cast('1970-01-01' as timestamp)", 'event_ts') ~ " / " ~ seconds ~ ") as bigint)" -%}
    select
        a.account_id as account_a,
        b.account_id as account_b,
        a.target,
        least(a.event_ts, b.event_ts) as first_ts
    from (
        select k.account_id, k.event_ts, k.target, {{ bucket }} + s.shift as bucket
        from {{ kept }} as k
        cross join (
            select -1 as shift
            union all
            select 0 as shift
            union all
            select 1 as shift
        ) as s
    ) as a
    inner join (
        select account_id, event_ts, target, {{ bucket }} as bucket
        from {{ kept }}
    ) as b
        on a.target = b.target
        and a.bucket = b.bucket
        and a.account_id < b.account_id
        and abs({{ seconds_between('a.event_ts', 'b.event_ts') }}) <= {{ seconds }}
{%- endmacro %}
