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
