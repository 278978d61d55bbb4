-- One row per appeal and delivery date. "A later row with the same id updates it":
-- inside one delivery the last file / last row wins; versions from different days are
-- kept with the date that superseded them, so an appeal can be read as it stood on any
-- run date (delivered_on <= D and (superseded_on is null or superseded_on > D)).
with source as (

    select * from {{ source('raw', 'appeals') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by appeal_id, _delivery_date
            order by _source_file desc, _file_row desc
        ) as version_rank
    from source

),

versions as (

    select
        appeal_id,
        account_id,
        action,
        filed_at,
        outcome,
        decided_at,
        _delivery_date as delivered_on,
        _source_file as source_file,
        _file_row as file_row
    from ranked
    where version_rank = 1

)

select
    *,
    {{ version_validity('appeal_id') }}
from versions
