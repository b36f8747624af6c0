//! Personal-data (PII) detection: decides whether a column or a value is personal data
//! (GDPR), so that a database dump with real personal data is never committed.
//!
//! Pure logic, no I/O: a dump reader streams cells into a [`Collector`], which returns
//! [`Evidence`] per `(table, column, kind)`; the anonymisation check asks
//! [`PiiPolicy::column_kind`] which columns of a schema are personal.
//!
//! - Column names are matched by whole tokens against dictionaries kept as data in
//!   `policies/pii.toml` ([`PII_POLICY_TOML`]), which a user file can extend
//!   ([`PiiPolicy::overlay_toml`]).
//! - Values are *validated*, not merely matched ([`validate`]): checksums (IBAN, NIR, Luhn),
//!   numbering plans (French and E.164 phones), reserved e-mail domains and IP ranges.
//! - Raw values never leave the collector: samples are redacted on the spot ([`redact`]) and
//!   distinct values are tracked as 64-bit hashes, capped, so memory stays flat.
//! - [`fingerprint`] hashes a rule and a normalised value for baseline suppressions.

mod collector;
mod policy;
mod quiet;
mod redact;
mod scan;
mod tokens;
pub mod validate;

use serde::Serialize;

pub use collector::{
    value_fingerprint, Collector, Evidence, DISTINCT_CAP, MAX_SAMPLES, SCAN_LIMIT,
};
#[cfg(test)]
pub(crate) use policy::PII_POLICY_PARSED;
pub use policy::{PiiPolicy, PiiThresholds, PII_POLICY_TOML};
pub use redact::{fingerprint, redact};
pub use tokens::{fold, tokenize};

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PiiKind {
    Email,
    Name,
    Phone,
    Address,
    BirthDate,
    IpAddress,
    ExternalId,
    NationalId,
    Iban,
    CardNumber,
    Photo,
    Notes,
    Health,
}

impl PiiKind {
    /// Every kind, in declaration order.
    pub const ALL: [PiiKind; 13] = [
        PiiKind::Email,
        PiiKind::Name,
        PiiKind::Phone,
        PiiKind::Address,
        PiiKind::BirthDate,
        PiiKind::IpAddress,
        PiiKind::ExternalId,
        PiiKind::NationalId,
        PiiKind::Iban,
        PiiKind::CardNumber,
        PiiKind::Photo,
        PiiKind::Notes,
        PiiKind::Health,
    ];

    /// When a column name matches dictionary entries of several kinds with the same number of
    /// tokens, the kind listed first here wins (most specific and most sensitive first).
    pub(crate) const PRIORITY: [PiiKind; 13] = [
        PiiKind::Health,
        PiiKind::NationalId,
        PiiKind::CardNumber,
        PiiKind::Iban,
        PiiKind::Email,
        PiiKind::IpAddress,
        PiiKind::Phone,
        PiiKind::BirthDate,
        PiiKind::ExternalId,
        PiiKind::Photo,
        PiiKind::Name,
        PiiKind::Address,
        PiiKind::Notes,
    ];

    /// The stable kebab-case id (`birth-date`), as serialized and as written in `pii.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Name => "name",
            PiiKind::Phone => "phone",
            PiiKind::Address => "address",
            PiiKind::BirthDate => "birth-date",
            PiiKind::IpAddress => "ip-address",
            PiiKind::ExternalId => "external-id",
            PiiKind::NationalId => "national-id",
            PiiKind::Iban => "iban",
            PiiKind::CardNumber => "card-number",
            PiiKind::Photo => "photo",
            PiiKind::Notes => "notes",
            PiiKind::Health => "health",
        }
    }

    /// The kind for a kebab-case id.
    pub fn parse(s: &str) -> Option<PiiKind> {
        PiiKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Human text for reports ("an e-mail address" reads as "e-mail address").
    pub fn label(self) -> &'static str {
        match self {
            PiiKind::Email => "e-mail address",
            PiiKind::Name => "person's name",
            PiiKind::Phone => "phone number",
            PiiKind::Address => "postal address",
            PiiKind::BirthDate => "date of birth",
            PiiKind::IpAddress => "IP address",
            PiiKind::ExternalId => "licence or passport number",
            PiiKind::NationalId => "national identity number",
            PiiKind::Iban => "bank account number (IBAN)",
            PiiKind::CardNumber => "payment card number",
            PiiKind::Photo => "photo of a person",
            PiiKind::Notes => "free-text notes about a person",
            PiiKind::Health => "health data",
        }
    }

    /// Special category of personal data under GDPR article 9 (health, here).
    pub fn special_category(self) -> bool {
        matches!(self, PiiKind::Health)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        for kind in PiiKind::ALL {
            assert_eq!(PiiKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().to_string())
            );
            assert_eq!(PiiKind::ALL[kind.index()], kind);
            assert!(PiiKind::PRIORITY.contains(&kind));
        }
        assert_eq!(PiiKind::parse("birth_date"), None);
    }

    #[test]
    fn only_health_is_special() {
        let special: Vec<_> = PiiKind::ALL
            .into_iter()
            .filter(|k| k.special_category())
            .collect();
        assert_eq!(special, vec![PiiKind::Health]);
    }
}
