-- 1 when the feature mart exists yet (a first run builds it), else 0.
select count(*) from information_schema.tables where table_schema = 'main' and table_name = 'account_features';
