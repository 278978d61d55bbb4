-- The quarantined rows of the validated file, per column and problem: how many, and the
-- first one as an example. A reason reads '<column>: <problem>[: <value>]'.
select
    split_part(_reject_reason, ': ', 1) as column_name,
    split_part(_reject_reason, ': ', 2) as problem,
    count(*) as row_count,
    min(_file_row) as example_row,
    left(arg_min(_reject_reason, _file_row), 200) as example
from validated
where _reject_reason is not null
group by column_name, problem
order by row_count desc, column_name asc;
