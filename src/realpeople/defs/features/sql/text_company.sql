-- One row per account with a shared text in the window of the latest feature build: how
-- shared the other writers' texts are (dbt's int_accounts_text_company, a table on DuckDB).
select account_id, cast(text_company_shared_share as double) as text_company_shared_share
from int_accounts_text_company;
