-- Block reports read block events by site, kind and time; only block events are indexed.
CREATE INDEX events_blocks ON events (site, kind, received_ms)
    WHERE kind IN ('block_impression', 'block_click', 'block_dismiss', 'block_conversion');
