-- Actioned accounts of $run_date by the family of their strongest reason and by action.
-- A moderator's verdict leads its reasons ("moderator review on ..."); the model's first
-- reason is matched to a feature family by the words src/realpeople/ml/explain.py writes for its
-- features.
select
    action,
    case
        when reasons like 'moderator review%' then 'moderator verdict'
        when regexp_matches(lower(reasons), '^[^;]*(coincide with accounts|shares devices with|by other accounts|near-copies|used by other accounts)') then 'coordination'
        when regexp_matches(lower(reasons), '^[^;]*(repl|answers|comments on posts a median|within a minute)') then 'responsiveness'
        when regexp_matches(lower(reasons), '^[^;]*(device|client|requests from|registered (through|from))') then 'clients and devices'
        when regexp_matches(lower(reasons), '^[^;]*(text|emoji|labelled|marker|commercial|vocabulary|punctuation|character)') then 'content'
        when regexp_matches(lower(reasons), '^[^;]*(days old|follow|profile)') then 'profile and growth'
        else 'rhythm'
    end as family,
    count(*) as accounts
from enforcement_list
where run_date = cast($run_date as date)
group by all
order by action asc, accounts desc;
