delete from compliance_metrics where run_date = cast($run_date as date);
