-- One row per pair of accounts (account_a < account_b) that used the same device in the
-- feature window: the shared-device edges compliance reports networks from (issue 18).
--   weight          distinct devices the two share
--   first_shared_at first event of either account on a device they share
--   last_shared_at  last such event
-- Devices used by more than max_cluster_device_accounts accounts (a shared kiosk, a
-- carrier NAT fingerprint) are left out, as in int_accounts_coordinated: they would join
-- everyone, quadratically. The publish stage (src/realpeople/defs/publish/networks.py) takes
-- the connected components of these edges; the coordination graph of issue 16
-- (int_account_pairs_cotargeted) has the same grain and can replace this input there.

with events as (

    select account_id, event_ts, device_id
    from {{ ref('int_events_windowed') }}
    where device_id is not null

),

account_devices as (

    select account_id, device_id, min(event_ts) as first_at, max(event_ts) as last_at
    from events
    group by account_id, device_id

),

shared_devices as (

    select device_id
    from account_devices
    group by device_id
    having count(*) between 2 and {{ var('max_cluster_device_accounts') }}

),

memberships as (

    select ad.account_id, ad.device_id, ad.first_at, ad.last_at
    from account_devices as ad
    inner join shared_devices as sd
        on ad.device_id = sd.device_id

)

select
    m1.account_id as account_a,
    m2.account_id as account_b,
    count(distinct m1.device_id) as weight,
    min(least(m1.first_at, m2.first_at)) as first_shared_at,
    max(greatest(m1.last_at, m2.last_at)) as last_shared_at
from memberships as m1
inner join memberships as m2
    on m1.device_id = m2.device_id
    and m1.account_id < m2.account_id
group by m1.account_id, m2.account_id
