-- The automation report reads the outbox by the time a message was created (delivery
-- counts per endpoint and state) and delivered CRM hand-offs by the time they were
-- delivered (speed to lead).
CREATE INDEX outbox_created ON outbox (site, created_ms);
CREATE INDEX outbox_handoffs ON outbox (site, delivered_ms)
    WHERE state = 'delivered' AND caused_ms IS NOT NULL;
