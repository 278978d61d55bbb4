-- The networks of one run date, largest first, with their members (account ids).
select n.*, list(m.account_id order by m.action nulls last, m.account_id) as member_ids
from networks as n
left join network_members as m using (run_date, network_id)
where n.run_date = cast($run_date as date)
group by all
order by n.members_actioned desc, n.size desc, n.network_id asc;
