drop table if exists event_summary_cache;
drop table if exists registrations;
