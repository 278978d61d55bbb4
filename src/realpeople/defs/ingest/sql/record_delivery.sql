insert into raw.deliveries values (
    $table_name, $delivery_date, $source_file, $file_format, $file_bytes, $file_sha256,
    $rows_landed, $rows_loaded, $rows_quarantined, $rejected_reason, $ignored_columns,
    current_timestamp at time zone 'UTC'
);
