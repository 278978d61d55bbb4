-- One row per account with at least one event in the window: how it connects. Clients,
-- devices, device sharing with other accounts, and request countries against the
-- country the profile declares (as of the run date). Every country mismatch is a share
-- over the events where both countries are known, so a missing value never counts as a
-- mismatch, and a trip abroad (IP and post location agree, away from home) stays small
-- next to a cloud IP that never matches anything.
-- A fold of per-day groups (int_account_days_connected): every share is weighted by the
-- group's events, so it equals the share over events.

-- The window as (account, day, client, device, countries) groups with their event counts:
-- settled days from int_account_days_connected, the newest from events (partial_window).
with events as (
{{ window_connection_groups() }}

),

account_devices as (

    select distinct account_id, device_id
    from events
    where device_id is not null

),

device_accounts as (

    select device_id, count(*) as accounts_on_device
    from account_devices
    group by device_id

),

device_stats as (

    select
        ad.account_id,
        count(*) as distinct_devices,
        max(da.accounts_on_device) as max_accounts_per_device
    from account_devices as ad
    inner join device_accounts as da
        on ad.device_id = da.device_id
    group by ad.account_id

),

connection_stats as (

    select
        e.account_id,
        sum(e.events) as events,
        {{ weighted_share("e.client = 'api'", 'e.events') }} as api_client_share,
        {{ weighted_share("e.client = 'web'", 'e.events') }} as web_client_share,
        count(distinct e.ip_country) as ip_country_count,
        -- Only events where both countries are known take part.
        {{ weighted_mean(country_mismatch('e.ip_country', 'a.declared_country'), 'e.events') }} as ip_declared_country_mismatch_share,
        {{ weighted_mean(country_mismatch('e.location_tag', 'a.declared_country'), 'e.events') }} as location_declared_mismatch_share,
        {{ weighted_mean(country_mismatch('e.location_tag', 'e.ip_country'), 'e.events') }} as location_ip_mismatch_share,
        {{ weighted_mean(country_mismatch('e.ip_country', 'a.signup_ip_country'), 'e.events') }} as ip_signup_country_mismatch_share
    from events as e
    left join {{ ref('int_accounts_snapshotted') }} as a
        on e.account_id = a.account_id
    group by e.account_id

)

select
    c.account_id,
    c.api_client_share,
    c.web_client_share,
    coalesce(d.distinct_devices, 0) as distinct_devices,
    coalesce(d.max_accounts_per_device, 0) as max_accounts_per_device,
    c.ip_country_count,
    c.ip_declared_country_mismatch_share,
    c.location_declared_mismatch_share,
    c.location_ip_mismatch_share,
    c.ip_signup_country_mismatch_share
from connection_stats as c
left join device_stats as d
    on c.account_id = d.account_id
