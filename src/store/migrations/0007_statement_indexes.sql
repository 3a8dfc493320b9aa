-- 0007: indexes for the export of statements of reasons (sqlite_transparency.c), which reads
-- an organization's restrictions in order of application time: a person's decisions, the
-- engine's hides (their notices) and reporters' appeals.
CREATE INDEX decisions_org_time ON decisions (org, decided_at);
CREATE INDEX notices_org_kind_time ON notices (org, kind, created_at);
CREATE INDEX appeals_org_time ON appeals (org, decided_at) WHERE outcome = 'overturn';
