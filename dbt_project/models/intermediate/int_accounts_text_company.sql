-- One row per account with at least one text that another account also wrote in the
-- window: the company its shared texts keep (issue 16).
--   text_company_shared_share  over the account's distinct shared texts (normalised form,
--                              int_texts_fingerprinted), the mean text_shared_share of the
--                              *other* accounts that wrote the same text
-- People share canned replies ("sure", "收到") with other people, whose texts are mostly
-- their own (text_shared_share ~0.05-0.3); a farm's templates are shared with other farm
-- members, whose texts are nearly all shared. Measured on seed 33 (20,000 accounts x 14
-- days): people sharing over 15 % of their texts had 0.06-0.45 (95th percentile <= 0.29),
-- automation 0.28-0.98 (farm ~0.89, stealth 0.41 on average). Reads no label.
-- Not a column of account_features, so that the mart keeps its columns (its history would
-- need a rebuild otherwise): the features step reads it after each build into
-- account_cluster_features. A table on DuckDB, computed once per build: as a view it was
-- computed three times, by that step and by each of its two data tests (1.9 s, 1.4 s and
-- 1.3 s of the daily build at 100k accounts; docs/benchmarks.md, stop 33). A view elsewhere
-- (Spark): the step reads it in DuckDB only, as int_account_pairs_cotargeted.
{{ config(materialized=('table' if target.type == 'duckdb' else 'view')) }}

with texts as (

    select distinct f.account_id, f.normalised_hash
    from {{ ref('int_texts_fingerprinted') }} as f
    where {{ in_feature_window('f') }}
      and f.normalised_hash is not null

),

own as (

    select account_id, coalesce(text_shared_share, 0) as text_shared_share
    from {{ ref('int_accounts_content_profiled') }}

),

per_text as (

    select t.normalised_hash, sum(o.text_shared_share) as share_sum, count(*) as writers
    from texts as t
    inner join own as o
        on t.account_id = o.account_id
    group by t.normalised_hash
    having count(*) > 1

)

select
    t.account_id,
    avg((p.share_sum - o.text_shared_share) / (p.writers - 1)) as text_company_shared_share
from texts as t
inner join per_text as p
    on t.normalised_hash = p.normalised_hash
inner join own as o
    on t.account_id = o.account_id
group by t.account_id
