-- tollgate:allow drop-column -- column was never read since v2.3, confirmed in #412
ALTER TABLE members DROP COLUMN fax;
