//! Redaction of samples and content fingerprints.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use super::validate;
use super::PiiKind;

/// A redacted form of `value` that says what kind of value it was without disclosing it:
///
/// | kind | example |
/// |---|---|
/// | e-mail | `j***@g***.fr` (first character of the local part and of the domain, TLD kept when ≤ 3 letters) |
/// | phone | `+33 6 ** ** ** 78` (country code, first digit, last two) |
/// | IP | `192.168.*.*`, `2a01:e0a:*` |
/// | IBAN | `FR76 **** … 89` |
/// | card | `**** **** **** 1234` |
/// | NIR | `1 ** ** ** *** *** **` |
/// | name | `J***` |
/// | date of birth | `19**-**-**` |
/// | anything else | `<11 chars>` |
///
/// A value that does not parse as its kind falls back to `<n chars>`.
pub fn redact(kind: PiiKind, value: &str) -> String {
    let v = value.trim();
    let redacted = match kind {
        PiiKind::Email => redact_email(v),
        PiiKind::Phone => redact_phone(v),
        PiiKind::IpAddress => validate::parse_ip(v).map(|ip| match ip {
            IpAddr::V4(v4) => {
                let o = v4.octets();
                format!("{}.{}.*.*", o[0], o[1])
            }
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:*", s[0], s[1])
            }
        }),
        PiiKind::Iban => validate::compact_iban(v)
            .filter(|s| s.len() >= 8)
            .map(|s| format!("{} **** … {}", &s[..4], &s[s.len() - 2..])),
        PiiKind::CardNumber => {
            validate::card_digits(v).map(|d| format!("**** **** **** {}", &d[d.len() - 4..]))
        }
        PiiKind::NationalId => validate::is_nir(v)
            .then(|| validate::compact_nir(v))
            .flatten()
            .map(|s| format!("{} ** ** ** *** *** **", &s[..1])),
        PiiKind::Name => v.chars().next().map(|c| format!("{c}***")),
        PiiKind::BirthDate => {
            validate::parse_date(v).map(|(y, _, _)| format!("{:02}**-**-**", (y / 100) % 100))
        }
        PiiKind::Address
        | PiiKind::ExternalId
        | PiiKind::Photo
        | PiiKind::Notes
        | PiiKind::Health => None,
    };
    redacted.unwrap_or_else(|| match v.chars().count() {
        1 => "<1 char>".to_string(),
        n => format!("<{n} chars>"),
    })
}

fn redact_email(v: &str) -> Option<String> {
    let (local, domain) = v.rsplit_once('@')?;
    let l = local.chars().next()?;
    let labels: Vec<&str> = domain.split('.').collect();
    let d = labels[0].chars().next()?;
    if labels.len() < 2 {
        return Some(format!("{l}***@{d}***"));
    }
    let tld = labels[labels.len() - 1];
    let tld = if (1..=3).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        tld.to_ascii_lowercase()
    } else {
        "***".to_string()
    };
    Some(format!("{l}***@{d}***.{tld}"))
}

fn redact_phone(v: &str) -> Option<String> {
    if let Some(p) = validate::parse_phone(v) {
        let n = &p.national;
        if p.country_code == 33 {
            return Some(format!("+33 {} ** ** ** {}", &n[..1], &n[n.len() - 2..]));
        }
        if n.len() >= 3 {
            let stars = "*".repeat(n.len() - 3);
            return Some(format!(
                "+{} {}{stars}{}",
                p.country_code,
                &n[..1],
                &n[n.len() - 2..]
            ));
        }
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 5).then(|| {
        let stars = "*".repeat(digits.len() - 3);
        format!("{}{stars}{}", &digits[..1], &digits[digits.len() - 2..])
    })
}

/// A stable content hash for baseline suppressions: lower-case hex SHA-256 of `rule`, a NUL
/// byte, and `value` lower-cased with all whitespace removed (so `06 12 34 56 78` and
/// `0612345678` agree, as do `Jean@Mail.fr` and `jean@mail.fr`).
pub fn fingerprint(rule: &str, value: &str) -> String {
    let normalised: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0u8]);
    hasher.update(normalised.as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn redacts_each_kind() {
        let cases = [
            (PiiKind::Email, "jean.dupont@gmail.fr", "j***@g***.fr"),
            (PiiKind::Email, "marie@mail.orange.com", "m***@m***.com"),
            (PiiKind::Email, "marie@cabinet.paris", "m***@c***.***"),
            (PiiKind::Email, "not an email", "<12 chars>"),
            (PiiKind::Phone, "06 12 34 56 78", "+33 6 ** ** ** 78"),
            (PiiKind::Phone, "+33612345678", "+33 6 ** ** ** 78"),
            (PiiKind::Phone, "+44 20 7946 0958", "+44 2*******58"),
            (PiiKind::Phone, "(212) 555-0123", "2*******23"),
            (PiiKind::IpAddress, "192.168.1.10", "192.168.*.*"),
            (PiiKind::IpAddress, "2001:db8::1", "2001:db8:*"),
            (
                PiiKind::Iban,
                "FR76 3000 6000 0112 3456 7890 189",
                "FR76 **** … 89",
            ),
            (
                PiiKind::CardNumber,
                "4970 1012 3456 7893",
                "**** **** **** 7893",
            ),
            (PiiKind::Name, "Jean", "J***"),
            (PiiKind::Name, "Élodie", "É***"),
            (PiiKind::BirthDate, "1985-03-12", "19**-**-**"),
            (PiiKind::BirthDate, "12/03/2001", "20**-**-**"),
            (PiiKind::Address, "12 rue de la Paix", "<17 chars>"),
            (PiiKind::Notes, "Allergique", "<10 chars>"),
            (PiiKind::Health, "t", "<1 char>"),
        ];
        for (kind, value, expected) in cases {
            assert_eq!(redact(kind, value), expected, "{kind:?} {value}");
        }
        let body = "1850578006084";
        let nir = format!("{body}{:02}", validate::nir_key(body).unwrap());
        assert_eq!(redact(PiiKind::NationalId, &nir), "1 ** ** ** *** *** **");
        assert_eq!(redact(PiiKind::NationalId, "123-45-6789"), "<11 chars>");
    }

    #[test]
    fn fingerprints_are_stable_and_normalised() {
        let a = fingerprint("pii-email", "Jean@Mail.fr");
        assert_eq!(a, fingerprint("pii-email", " jean@mail.fr "));
        assert_ne!(a, fingerprint("pii-phone", "jean@mail.fr"));
        assert_eq!(
            fingerprint("pii-phone", "06 12 34 56 78"),
            fingerprint("pii-phone", "0612345678")
        );
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // SHA-256("r\0v"), pinned so the baseline format cannot drift silently.
        assert_eq!(
            fingerprint("r", "V"),
            "5a2c4828777955f91b0a78c6ea911d006440788ca0dae226575232f043461c5d"
        );
    }

    proptest! {
        #[test]
        fn redact_never_panics(s in ".{0,60}") {
            for kind in PiiKind::ALL {
                let _ = redact(kind, &s);
            }
            let _ = fingerprint("x", &s);
        }
    }
}
