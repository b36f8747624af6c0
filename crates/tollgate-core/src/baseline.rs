//! The dump guard's baseline: suppressions by content, never by position.
//!
//! A baseline file (`dumps.baseline`, default `tollgate.baseline.toml`) lists `[[suppress]]`
//! entries. Each holds a fingerprint, a reason and an optional expiry:
//!
//! ```toml
//! [[suppress]]
//! fingerprint = "blob:9daeafb9864cf43055ae93beb0afd6c7d144bfa4"   # a whole file (git blob id)
//! reason = "anonymised sample, reviewed by the DPO on 2026-10-02"
//! expires = "2027-04-01"
//! where = "tests/fixtures/members.sql"                          # informational
//!
//! [[suppress]]
//! fingerprint = "value:3f0c…"                                   # one personal value
//! reason = "the support desk's published phone number"
//! ```
//!
//! A `blob:` fingerprint is the git blob id of the file's content, so it survives renames,
//! squash merges and rebases, and stops matching as soon as a byte changes. A `value:`
//! fingerprint is [`crate::pii::value_fingerprint`]: a SHA-256 of the kind and the value's
//! normal form, so it matches the value wherever it appears. Positions (file and line) are
//! never part of a fingerprint: they break after a squash merge.
//!
//! An expired entry suppresses nothing and is reported; so is an entry that matched nothing
//! in a full scan. The clock is read by the caller (`today`), never here.

use std::collections::HashSet;

use serde::Deserialize;

use crate::span::LineIndex;

/// One `[[suppress]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub fingerprint: String,
    pub reason: String,
    /// `YYYY-MM-DD`: the entry suppresses nothing after this day.
    pub expires: Option<String>,
    /// Informational: where the fingerprint was taken.
    pub place: Option<String>,
    /// 1-based line of the entry in the file.
    pub line: usize,
    /// The expiry date is before `today`.
    pub expired: bool,
}

/// A parsed baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub path: String,
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    suppress: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    fingerprint: String,
    reason: Option<String>,
    expires: Option<String>,
    #[serde(rename = "where")]
    place: Option<String>,
}

impl Baseline {
    /// Parses a baseline file. `today` is `YYYY-MM-DD`. Errors are one line:
    /// `path:line: what is wrong; how to fix it`.
    pub fn parse(path: &str, text: &str, today: &str) -> Result<Baseline, String> {
        let index = LineIndex::new(text);
        let line_of = |offset: usize| index.position(text, offset).line;
        let file: File = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| format!(":{}", line_of(s.start)))
                .unwrap_or_default();
            let msg = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            format!("{path}{at}: invalid baseline: {msg}; each entry is a [[suppress]] table with fingerprint, reason and an optional expires")
        })?;
        let mut entries = Vec::with_capacity(file.suppress.len());
        for spanned in file.suppress {
            let line = line_of(spanned.span().start);
            let raw = spanned.into_inner();
            let at = format!("{path}:{line}");
            if !valid_fingerprint(&raw.fingerprint) {
                return Err(format!(
                    "{at}: fingerprint `{}` is not `blob:<40 or 64 hex digits>` or `value:<64 hex digits>`; copy it from `tollgate dumps --write-baseline`",
                    short(&raw.fingerprint)
                ));
            }
            let reason = raw.reason.unwrap_or_default();
            let trimmed = reason.trim();
            if trimmed.is_empty() || trimmed.to_ascii_lowercase().starts_with("todo") {
                return Err(format!(
                    "{at}: the entry for {} needs a reason: say why this is not real personal data (and who checked)",
                    short(&raw.fingerprint)
                ));
            }
            let expired = match &raw.expires {
                None => false,
                Some(d) => {
                    if !valid_date(d) {
                        return Err(format!(
                            "{at}: expires = \"{}\" is not a date; write it as YYYY-MM-DD",
                            short(d)
                        ));
                    }
                    d.as_str() < today
                }
            };
            entries.push(Entry {
                fingerprint: raw.fingerprint.to_ascii_lowercase(),
                reason: trimmed.to_string(),
                expires: raw.expires,
                place: raw.place,
                line,
                expired,
            });
        }
        Ok(Baseline {
            path: path.to_string(),
            entries,
        })
    }

    /// The fingerprints of the entries in force (not expired).
    pub fn active(&self) -> HashSet<String> {
        self.entries
            .iter()
            .filter(|e| !e.expired)
            .map(|e| e.fingerprint.clone())
            .collect()
    }

    /// The `value:` fingerprints in force.
    pub fn active_values(&self) -> HashSet<String> {
        self.active()
            .into_iter()
            .filter(|f| f.starts_with("value:"))
            .collect()
    }

    /// The entry in force for this fingerprint.
    pub fn find(&self, fingerprint: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| !e.expired && e.fingerprint == fingerprint)
    }

    /// Entries in force that `used` does not contain.
    pub fn unused<'a>(&'a self, used: &HashSet<String>) -> Vec<&'a Entry> {
        self.entries
            .iter()
            .filter(|e| !e.expired && !used.contains(&e.fingerprint))
            .collect()
    }

    pub fn expired(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| e.expired).collect()
    }
}

/// New entries in the file's format, for appending. `reason` is left for a human to write.
pub fn render_entries(entries: &[(String, String)]) -> String {
    let mut out = String::new();
    for (fingerprint, place) in entries {
        out.push_str("\n[[suppress]]\n");
        out.push_str(&format!("fingerprint = {}\n", toml_string(fingerprint)));
        out.push_str(
            "reason = \"TODO: say why this is not real personal data, and who checked\"\n",
        );
        out.push_str("# expires = \"YYYY-MM-DD\"\n");
        out.push_str(&format!("where = {}\n", toml_string(place)));
    }
    out
}

fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn valid_fingerprint(f: &str) -> bool {
    let hex = |s: &str, lens: &[usize]| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
    };
    if let Some(h) = f.strip_prefix("blob:") {
        hex(h, &[40, 64])
    } else if let Some(h) = f.strip_prefix("value:") {
        hex(h, &[64])
    } else {
        false
    }
}

fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(_), Some(m @ 1..=12), Some(day @ 1..=31)) if day <= days_in_month(m)
    )
}

fn days_in_month(m: u32) -> u32 {
    match m {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOB: &str = "blob:9daeafb9864cf43055ae93beb0afd6c7d144bfa4";

    fn value() -> String {
        crate::pii::value_fingerprint(crate::pii::PiiKind::Phone, "06 12 34 56 78")
    }

    #[test]
    fn parses_entries_and_expiry() {
        let text = format!(
            "# reviewed\n[[suppress]]\nfingerprint = \"{BLOB}\"\nreason = \"anonymised sample\"\nexpires = \"2026-01-31\"\nwhere = \"a.sql\"\n\n[[suppress]]\nfingerprint = \"{}\"\nreason = \"support desk number\"\n",
            value()
        );
        let b = Baseline::parse("tollgate.baseline.toml", &text, "2026-11-24").unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[0].line, 2);
        assert!(b.entries[0].expired);
        assert!(!b.entries[1].expired);
        assert_eq!(b.active(), HashSet::from([value()]));
        assert_eq!(b.expired().len(), 1);
        assert!(b.find(BLOB).is_none(), "expired entries suppress nothing");
        let used = HashSet::new();
        assert_eq!(b.unused(&used).len(), 1);
        // The day of expiry still counts.
        let b = Baseline::parse("b", &text, "2026-01-31").unwrap();
        assert!(!b.entries[0].expired);
    }

    #[test]
    fn the_same_value_written_differently_has_one_fingerprint() {
        use crate::pii::{value_fingerprint, PiiKind};
        assert_eq!(
            value_fingerprint(PiiKind::Phone, "06 12 34 56 78"),
            value_fingerprint(PiiKind::Phone, "+33612345678")
        );
        assert_eq!(
            value_fingerprint(PiiKind::Email, "Jean.Dupont@Gmail.com"),
            value_fingerprint(PiiKind::Email, " jean.dupont@gmail.com")
        );
        assert_ne!(
            value_fingerprint(PiiKind::Email, "jean@gmail.com"),
            value_fingerprint(PiiKind::Email, "jeanne@gmail.com")
        );
        assert!(value_fingerprint(PiiKind::Email, "a@b.fr").starts_with("value:"));
    }

    #[test]
    fn bad_files_say_where_and_how_to_fix() {
        let cases = [
            ("[[suppress]]\nfingerprint = \"abc\"\nreason = \"x\"\n", "b.toml:1: fingerprint `abc` is not"),
            (&format!("[[suppress]]\nfingerprint = \"{BLOB}\"\n"), "b.toml:1: the entry for blob:9dae"),
            (&format!("\n[[suppress]]\nfingerprint = \"{BLOB}\"\nreason = \"TODO: say why\"\n"), "b.toml:2: the entry for"),
            (&format!("[[suppress]]\nfingerprint = \"{BLOB}\"\nreason = \"r\"\nexpires = \"2026-02-30\"\n"), "b.toml:1: expires = \"2026-02-30\" is not a date"),
            (&format!("[[suppress]]\nfingerprint = \"{BLOB}\"\nreason = \"r\"\nline = 3\n"), "b.toml:"),
            ("[[suppress]\n", "b.toml:1: invalid baseline"),
            ("suppress = 3\n", "b.toml:1: invalid baseline"),
        ];
        for (text, want) in cases {
            let e = Baseline::parse("b.toml", text, "2026-11-24").unwrap_err();
            assert!(e.starts_with(want), "{text:?}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
    }

    #[test]
    fn rendered_entries_parse_once_a_reason_is_written() {
        let text = render_entries(&[(BLOB.to_string(), "dumps/a \"b\".sql".to_string())]);
        assert!(
            Baseline::parse("b", &text, "2026-11-24").is_err(),
            "TODO reasons are refused"
        );
        let filled = text.replace(
            "TODO: say why this is not real personal data, and who checked",
            "synthetic",
        );
        let b = Baseline::parse("b", &filled, "2026-11-24").unwrap();
        assert_eq!(b.entries[0].fingerprint, BLOB);
        assert_eq!(b.entries[0].place.as_deref(), Some("dumps/a \"b\".sql"));
    }
}
