//! Search of free text (a `payload` column, a JSON document, a line of a README) for
//! self-validating personal values.

use super::policy::{number_kind, MIN_DIGITS};
use super::validate;
use super::{PiiKind, PiiPolicy};

/// Characters that end a word when looking for e-mails and IP addresses.
fn is_word_break(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '"'
                | '\''
                | '`'
                | ','
                | ';'
                | '|'
                | '='
                | '&'
        )
}

/// At most this many groups are joined into one number candidate (`+33 6 12 34 56 78` has 6,
/// a Maltese IBAN in groups of 4 has 8).
const MAX_GROUPS: usize = 10;

/// Whether `word` is made only of the characters [`validate::parse_ip`] accepts (hex digits,
/// `.`, `:` and a `/32` or `/128` suffix): cheap enough to run on every word before parsing.
fn ip_candidate(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() <= 64
        && b.iter()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'/'))
}

/// Calls `f` with each word of `text` (split on [`is_word_break`]). ASCII text, almost every
/// cell, is split on bytes; other text on chars, where Unicode whitespace (a no-break space)
/// also ends a word.
fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    if text.is_ascii() {
        for w in text.as_bytes().split(|&c| is_word_break(char::from(c))) {
            let start = w.as_ptr() as usize - text.as_ptr() as usize;
            f(&text[start..start + w.len()]);
        }
    } else {
        text.split(is_word_break).for_each(f);
    }
}

impl PiiPolicy {
    /// The self-validating values in `text`, in order: e-mails and IP addresses as words
    /// (split on whitespace, brackets, quotes, `,;|=&`, trailing `.:!?` trimmed, `mailto:`
    /// dropped), and IBANs, NIRs, card numbers and phone numbers as runs of digit groups
    /// separated by single spaces, dots or dashes (`06 12 34 56 78`, `FR76 3000 ...`), the
    /// longest valid run first. Synthetic values are included (see [`PiiPolicy::is_synthetic`]).
    pub fn find_values<'t>(&self, text: &'t str) -> Vec<(PiiKind, &'t str)> {
        let mut out = Vec::new();
        // Most cells of a dump are ids, amounts, flags and dates: e-mails and IPs need one of
        // `@.:`, every number kind needs MIN_DIGITS digits.
        let b = text.as_bytes();
        if b.iter().any(|&c| matches!(c, b'@' | b'.' | b':')) {
            self.find_words(text, &mut out);
        }
        if b.iter().filter(|c| c.is_ascii_digit()).count() >= MIN_DIGITS {
            self.find_numbers(text, &mut out);
        }
        out
    }

    fn find_words<'t>(&self, text: &'t str, out: &mut Vec<(PiiKind, &'t str)>) {
        for_each_word(text, |word| {
            if !word.bytes().any(|c| matches!(c, b'@' | b'.' | b':')) {
                return;
            }
            let word = word.strip_prefix("mailto:").unwrap_or(word);
            let trimmed = word.trim_end_matches(['.', ':', '!', '?']);
            if trimmed.contains('@') {
                if validate::is_email(trimmed) {
                    out.push((PiiKind::Email, trimmed));
                }
            } else if !ip_candidate(trimmed) {
                // `trimmed` is `word` less trailing `.:!?`: if it can't be an IP, neither can
                // `word`.
            } else if validate::is_ip(word) {
                out.push((PiiKind::IpAddress, word));
            } else if trimmed != word && validate::is_ip(trimmed) {
                out.push((PiiKind::IpAddress, trimmed));
            }
        });
    }

    fn find_numbers<'t>(&self, text: &'t str, out: &mut Vec<(PiiKind, &'t str)>) {
        let b = text.as_bytes();
        let n = b.len();
        let alnum = |i: usize| i < n && b[i].is_ascii_alphanumeric();
        let digit = |i: usize| i < n && b[i].is_ascii_digit();
        let upper = |i: usize| i < n && b[i].is_ascii_uppercase();
        let mut i = 0;
        while i < n {
            // Not inside a code such as `RQ-0612345678`, `id_0612345678` or `v1.0612345678`.
            let boundary = i == 0
                || !(alnum(i - 1)
                    || matches!(b[i - 1], b'+' | b'_')
                    || (matches!(b[i - 1], b'-' | b'.' | b'/') && i >= 2 && alnum(i - 2)));
            let starts = digit(i)
                || (b[i] == b'+' && digit(i + 1))
                || (upper(i) && upper(i + 1) && digit(i + 2) && digit(i + 3));
            if !(boundary && starts) {
                i += 1;
                continue;
            }
            // Groups of digits and capitals separated by one space, dot or dash: the end of
            // each group, and the digits up to it.
            let mut groups = [(0usize, 0usize); MAX_GROUPS];
            let mut count = 0;
            let mut digits = 0;
            let mut j = i;
            loop {
                if b[j] == b'+' {
                    j += 1;
                }
                while digit(j) || upper(j) {
                    digits += usize::from(digit(j));
                    j += 1;
                }
                groups[count] = (j, digits);
                count += 1;
                let joins = j + 1 < n
                    && matches!(b[j], b' ' | b'.' | b'-')
                    && (digit(j + 1) || upper(j + 1));
                if count == MAX_GROUPS || !joins {
                    break;
                }
                j += 1;
            }
            let groups = &groups[..count];
            let found = groups.iter().rev().find_map(|&(end, digits)| {
                if digits < MIN_DIGITS {
                    return None;
                }
                // Glued to a word: `12abc`, `0612345678_old`, `0612345678-b`.
                if alnum(end)
                    || (end < n && b[end] == b'_')
                    || (matches!(b.get(end), Some(b'-' | b'/')) && alnum(end + 1))
                {
                    return None;
                }
                let candidate = &text[i..end];
                number_kind(candidate).map(|kind| (kind, candidate, end))
            });
            match found {
                Some((kind, candidate, end)) => {
                    out.push((kind, candidate));
                    i = end;
                }
                None => i = groups[0].0.max(i + 1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<(PiiKind, &str)> {
        PiiPolicy::default_policy().find_values(text)
    }

    #[test]
    fn whole_values() {
        assert_eq!(
            find(" jean@gmail.com "),
            [(PiiKind::Email, "jean@gmail.com")]
        );
        assert_eq!(find("06 12 34 56 78"), [(PiiKind::Phone, "06 12 34 56 78")]);
        assert!(find("").is_empty());
        assert!(find("Jean Dupont").is_empty());
    }

    #[test]
    fn values_in_free_text() {
        assert_eq!(
            find("Contact: <jean.dupont@gmail.com>, tel 06 12 34 56 78 ou +33 7 12 34 56 78."),
            [
                (PiiKind::Email, "jean.dupont@gmail.com"),
                (PiiKind::Phone, "06 12 34 56 78"),
                (PiiKind::Phone, "+33 7 12 34 56 78"),
            ]
        );
        assert_eq!(
            find(r#"{"ip":"81.2.69.160","mail":"mailto:a.b@free.fr"}"#),
            [
                (PiiKind::IpAddress, "81.2.69.160"),
                (PiiKind::Email, "a.b@free.fr"),
            ]
        );
        assert_eq!(
            find("IBAN FR76 3000 6000 0112 3456 7890 189 MERCI"),
            [(PiiKind::Iban, "FR76 3000 6000 0112 3456 7890 189")]
        );
        assert_eq!(
            find("cb 4970-1012-3456-7893, exp 12/27"),
            [(PiiKind::CardNumber, "4970-1012-3456-7893")]
        );
        assert_eq!(
            find("login from 2a01:e0a:1:2::3: ok"),
            [(PiiKind::IpAddress, "2a01:e0a:1:2::3")]
        );
    }

    #[test]
    fn the_fast_paths_miss_nothing() {
        // A no-break space ends a word; an IP with a host prefix is an IP.
        assert_eq!(
            find("mail\u{a0}jean@gmail.com\u{a0}merci"),
            [(PiiKind::Email, "jean@gmail.com")]
        );
        assert_eq!(
            find("allow 81.2.69.160/32;"),
            [(PiiKind::IpAddress, "81.2.69.160/32")]
        );
        assert_eq!(find("from 2a01::1!"), [(PiiKind::IpAddress, "2a01::1")]);
    }

    #[test]
    fn no_false_positives_in_ordinary_text() {
        for text in [
            "Version 1.2.3 released on 2024-01-15 10:30:00+00",
            "Total: 1 234 567,89 EUR (ref A12-0612345678x)",
            "price 0.123456789 and ratio 3.14",
            "see https://example.org/docs#section",
            "order #0612345678901234567890",
            "\\x89504e470d0a1a0a0000000d49484452",
            "café crème 06h30",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "+",
            "FR",
            "FR7",
            "é+3",
            "1 2 3 4 5 6 7 8 9 10 11 12 13",
            "++++",
            "06 ",
        ] {
            let _ = find(text);
        }
    }
}
