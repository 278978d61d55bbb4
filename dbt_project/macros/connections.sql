{#- The devices family's partial aggregate: events counted per account, UTC event day and
    combination of client, device, request country and location tag (an account-day
    holds a few combinations). Every figure of int_accounts_devices_profiled is a sum,
    a count of distinct values or an events-weighted mismatch share over these rows, so
    the fold is exact. -#}
{% macro connection_groups(events) -%}
    select
        account_id,
        cast(event_ts as date) as event_day,
        client,
        device_id,
        ip_country,
        location_tag,
        count(*) as events
    from {{ events }}
    group by account_id, cast(event_ts as date), client, device_id, ip_country, location_tag
{%- endmacro %}

{#- The run date's window as connection groups (account, client, device, countries, with
    their events): the settled event days from the partial int_account_days_connected,
    the newest from the window's events (partial_window). One home for both readers: the
    devices family (int_accounts_devices_profiled) and the accounts that share a device
    in int_accounts_coordinated, which read the partial's few rows per account and day
    instead of every event of the window (a distinct (account, device) over 22M events,
    ~1.9 s at 100k accounts x 28 days, against ~0.3 s). -#}
{% macro window_connection_groups() -%}
  {%- set days = partial_window() %}
    select account_id, client, device_id, ip_country, location_tag, events
    from {{ ref('int_account_days_connected') }}
    where account_id is not null
      and {{ settled_in_window() }}

    union all

    select account_id, client, device_id, ip_country, location_tag, events
    from ({{ connection_groups("(select * from " ~ ref('int_events_windowed') ~ " where event_ts >= cast(" ~ days.tail_day ~ " as timestamp))") }}) as t
{%- endmacro %}
