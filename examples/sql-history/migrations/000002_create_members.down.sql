drop table if exists legacy_imports;
drop table if exists member_notes;
drop table if exists members;
