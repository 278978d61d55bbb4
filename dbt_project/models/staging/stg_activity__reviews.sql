-- One row per review_id. A review is an immutable verdict; a repeat of its id is a
-- re-delivery, so the first arrival is kept (and its delivery date, so training can use
-- only labels that existed by a given date).
with source as (

    select * from {{ source('raw', 'reviews') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by review_id
            order by _delivery_date, _source_file, _file_row
        ) as arrival_rank
    from source

)

select
    review_id,
    account_id,
    reviewed_at,
    verdict,
    source,
    _delivery_date as delivered_on,
    _source_file as source_file,
    _file_row as file_row
from ranked
where arrival_rank = 1
