insert into networks select * exclude (cluster_id) from network_rows;
-- Who is in each network of $run_date (from the registered `cluster_members`).
insert into network_members
select cast($run_date as date), n.network_id, m.account_id, l.action
from cluster_members as m
inner join network_rows as n using (cluster_id)
left join (select account_id, action from enforcement_list where run_date = cast($run_date as date)) as l
    using (account_id);
