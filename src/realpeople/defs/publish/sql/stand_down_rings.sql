-- The rings a reviewed person sits in ($ring_ids, from ring_people.sql): their members are
-- no longer ring evidence today (they keep the tie to actioned members, which only ever
-- reaches a moderator).
update coordination_rings set in_ring = false where list_contains($ring_ids, ring_id);
