-- The chain head row is the lock that audit appends take (src/audit/audit.repository.ts
-- appendAuditEvent): it must exist. Seeded from the newest record, or the genesis hash when there
-- is none; a head already written by an earlier version is kept as it is.
INSERT INTO "system_state" ("key", "value")
SELECT 'audit.head', COALESCE(
  (SELECT jsonb_build_object('id', "id", 'hash', "hash") FROM "audit_events" ORDER BY "id" DESC LIMIT 1),
  jsonb_build_object('id', 0, 'hash', repeat('0', 64)))
ON CONFLICT ("key") DO NOTHING;
