-- 0008: "one appeal per decision" looks an appeal up by its decision (sqlite_workflow.c); without
-- this index each appeal scanned the whole table (bench/bench_review.c measured it).
CREATE INDEX appeals_decision ON appeals (decision);
