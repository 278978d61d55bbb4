-- One landing-zone entry that is not loaded, and why.
insert into raw.landing_entries values (
    $path, $table_name, $delivery_date, $entry_kind, $reason, $scope,
    current_timestamp at time zone 'UTC'
);
