insert into raw.deliveries (
    table_name, _delivery_date, _source_file, file_format, file_bytes, file_sha256,
    rows_landed, rows_loaded, rows_quarantined, rejected_reason, ignored_columns,
    _loaded_at, file_mtime_ns
) values (
    $table_name, $delivery_date, $source_file, $file_format, $file_bytes, $file_sha256,
    $rows_landed, $rows_loaded, $rows_quarantined, $rejected_reason, $ignored_columns,
    current_timestamp at time zone 'UTC', $file_mtime_ns
);
