//! The PII policy: dictionaries, context rules, placeholders, declared non-personal columns and
//! thresholds, read from `policies/pii.toml` ([`PII_POLICY_TOML`]) and from user overlays.
//!
//! [`PiiPolicy::default_policy`] lays the embedded file over an empty base through
//! [`PiiPolicy::overlay_toml`], the code path that reads a user's file, so the embedded file is
//! validated exactly like user configuration. Overlay semantics are documented at the top of
//! `policies/pii.toml`: thresholds replace, lists extend, `[non_personal]` entries add.
//! Errors name `file:line:column` and leave the policy unchanged.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::tokens::{fold, token_matches, tokenize};
use super::validate;
use super::PiiKind;
use crate::span::LineIndex;

/// The embedded default PII policy (`policies/pii.toml`).
pub const PII_POLICY_TOML: &str = include_str!("../../../../policies/pii.toml");
// What is parsed: the same text without its comment lines (see `embedded`).
crate::embedded::stripped!(pub(crate) PII_POLICY_PARSED = PII_POLICY_TOML);

const TOP_KEYS: &[&str] = &["thresholds", "columns", "context", "values", "non_personal"];
const THRESHOLD_KEYS: &[&str] = &["min_named_values", "min_unnamed_distinct"];
const CONTEXT_KEYS: &[&str] = &[
    "person_tokens",
    "not_person_tokens",
    "flag_tokens",
    "reference_tokens",
    "person_only",
    "with_sibling",
];
const VALUES_KEYS: &[&str] = &["placeholders", "synthetic_email_domains"];

/// When a value counts as evidence; see `[thresholds]` in `policies/pii.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PiiThresholds {
    /// A named personal column blocks with at least this many validated, non-synthetic values.
    pub min_named_values: u64,
    /// Values outside personal columns block with at least this many distinct real values of
    /// one kind in the file.
    pub min_unnamed_distinct: u64,
}

/// A tokenised dictionary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    kind: PiiKind,
    tokens: Vec<String>,
}

/// A `[non_personal]` declaration, normalised (folded, without quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
struct NonPersonal {
    table: String,
    column: String,
    reason: String,
}

/// The effective PII policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PiiPolicy {
    pub thresholds: PiiThresholds,
    dictionary: Vec<Entry>,
    person_only: Vec<Entry>,
    with_sibling: Vec<Entry>,
    person_tokens: BTreeSet<String>,
    not_person_tokens: BTreeSet<String>,
    flag_tokens: BTreeSet<String>,
    reference_tokens: BTreeSet<String>,
    placeholders: BTreeSet<String>,
    synthetic_email_domains: Vec<String>,
    non_personal: Vec<NonPersonal>,
}

/// A dictionary match: `len` tokens of the column from `start`.
#[derive(Debug, Clone, Copy)]
struct Match {
    kind: PiiKind,
    start: usize,
    len: usize,
}

impl Match {
    fn covers(&self, i: usize) -> bool {
        (self.start..self.start + self.len).contains(&i)
    }
}

fn rank(kind: PiiKind) -> usize {
    PiiKind::PRIORITY
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

/// The best entry occurring as consecutive tokens: most tokens, then most sensitive kind, then
/// leftmost.
fn best_match(tokens: &[String], entries: &[Entry]) -> Option<Match> {
    let mut best: Option<Match> = None;
    for e in entries {
        let n = e.tokens.len();
        if n == 0 || n > tokens.len() {
            continue;
        }
        for start in 0..=tokens.len() - n {
            let hit = e
                .tokens
                .iter()
                .enumerate()
                .all(|(i, et)| token_matches(&tokens[start + i], et));
            if !hit {
                continue;
            }
            let candidate = Match {
                kind: e.kind,
                start,
                len: n,
            };
            let better = match best {
                None => true,
                Some(b) => {
                    (n, std::cmp::Reverse(rank(e.kind)), std::cmp::Reverse(start))
                        > (
                            b.len,
                            std::cmp::Reverse(rank(b.kind)),
                            std::cmp::Reverse(b.start),
                        )
                }
            };
            if better {
                best = Some(candidate);
            }
            break;
        }
    }
    best
}

/// Is `token` (or its singular) in `set`?
fn in_set(set: &BTreeSet<String>, token: &str) -> bool {
    set.contains(token)
        || token.strip_suffix('s').is_some_and(|t| set.contains(t))
        || token.strip_suffix("es").is_some_and(|t| set.contains(t))
}

/// A table or column name as compared with `[non_personal]`: quotes removed, folded, trimmed.
fn normalise_name(s: &str) -> String {
    fold(&s.replace('"', "")).trim().to_string()
}

/// `public.adherent` → `adherent`.
fn unqualified(table: &str) -> &str {
    table.rsplit_once('.').map_or(table, |(_, t)| t)
}

fn table_matches(pattern: &str, table: &str) -> bool {
    if pattern == "*" || pattern == table {
        return true;
    }
    let (p_qualified, t_qualified) = (pattern.contains('.'), table.contains('.'));
    (p_qualified != t_qualified || !p_qualified) && unqualified(pattern) == unqualified(table)
}

impl PiiPolicy {
    fn empty() -> PiiPolicy {
        PiiPolicy {
            thresholds: PiiThresholds {
                min_named_values: 1,
                min_unnamed_distinct: 5,
            },
            dictionary: Vec::new(),
            person_only: Vec::new(),
            with_sibling: Vec::new(),
            person_tokens: BTreeSet::new(),
            not_person_tokens: BTreeSet::new(),
            flag_tokens: BTreeSet::new(),
            reference_tokens: BTreeSet::new(),
            placeholders: BTreeSet::new(),
            synthetic_email_domains: Vec::new(),
            non_personal: Vec::new(),
        }
    }

    /// The embedded default policy. Never fails: a unit test parses the embedded file.
    pub fn default_policy() -> PiiPolicy {
        static DEFAULT: OnceLock<PiiPolicy> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                let mut policy = PiiPolicy::empty();
                if let Err(e) = policy.overlay_toml(PII_POLICY_PARSED, "policies/pii.toml") {
                    panic!("the embedded PII policy is invalid: {e}");
                }
                policy
            })
            .clone()
    }

    /// Lays a PII policy file (`text`, read from `path`) over `self`: thresholds replace, lists
    /// extend, `[non_personal]` entries add. On error (`path:line:column: message`) `self` is
    /// unchanged.
    pub fn overlay_toml(&mut self, text: &str, path: &str) -> Result<(), String> {
        let cx = Cx {
            path,
            text,
            index: LineIndex::new(text),
        };
        let root = DeTable::parse(text).map_err(|e| cx.syntax_error(&e))?;
        let mut next = self.clone();
        next.apply_root(&cx, root.get_ref())?;
        *self = next;
        Ok(())
    }

    /// Lays the `[pii]` table of a `tollgate.toml` over `self`, with the same keys as
    /// `policies/pii.toml`. `text` is the whole file (for positions in errors).
    pub fn overlay_table(
        &mut self,
        path: &str,
        text: &str,
        table: &DeTable<'_>,
    ) -> Result<(), String> {
        let cx = Cx {
            path,
            text,
            index: LineIndex::new(text),
        };
        let mut next = self.clone();
        next.apply_root(&cx, table)?;
        *self = next;
        Ok(())
    }

    /// The reason a column was declared not personal in `[non_personal]`, if it was. `table` may
    /// be schema-qualified and quoted; an empty `table` matches only `*` entries.
    pub fn is_non_personal(&self, table: &str, column: &str) -> Option<&str> {
        if self.non_personal.is_empty() {
            return None;
        }
        let (t, c) = (normalise_name(table), normalise_name(column));
        self.non_personal
            .iter()
            .find(|np| (np.column == "*" || np.column == c) && table_matches(&np.table, &t))
            .map(|np| np.reason.as_str())
    }

    /// The kind of personal data a column holds, from its name, its table's name and the names
    /// of the other columns of the table (`siblings`, which may include `column` itself), or
    /// `None` when it is not personal or declared non-personal. Rules, in order:
    /// 1. dictionary entries (`[columns]`), whole consecutive tokens;
    /// 2. `[context.person_only]` tokens (`name`, `nom`, `photo`) in a person context;
    /// 3. `[context.with_sibling]` tokens (`cp`) next to a sibling of the same kind;
    ///
    /// and a match is dropped when another token of the column is a flag token
    /// (`email_verified`), or when the last token is a reference token (`address_id`).
    pub fn column_kind(&self, table: &str, column: &str, siblings: &[&str]) -> Option<PiiKind> {
        if self.is_non_personal(table, column).is_some() {
            return None;
        }
        let tokens = tokenize(column);
        if tokens.is_empty() {
            return None;
        }
        if let Some(m) = best_match(&tokens, &self.dictionary) {
            return (!self.dropped(&tokens, m)).then_some(m.kind);
        }
        if let Some(m) = best_match(&tokens, &self.person_only) {
            if self.dropped(&tokens, m) {
                return None;
            }
            let others = || tokens.iter().enumerate().filter(|(i, _)| !m.covers(*i));
            if others().any(|(_, t)| in_set(&self.not_person_tokens, t)) {
                return None;
            }
            let person = others().any(|(_, t)| in_set(&self.person_tokens, t))
                || self.is_person_table(table);
            return person.then_some(m.kind);
        }
        if let Some(m) = best_match(&tokens, &self.with_sibling) {
            if self.dropped(&tokens, m) {
                return None;
            }
            let me = normalise_name(column);
            let found = siblings.iter().any(|s| {
                normalise_name(s) != me
                    && self.is_non_personal(table, s).is_none()
                    && self.dictionary_kind(s) == Some(m.kind)
            });
            return found.then_some(m.kind);
        }
        None
    }

    /// Does a token of the table name designate persons (`users`, `adherent`, `auth_user`)?
    pub fn is_person_table(&self, table: &str) -> bool {
        tokenize(table)
            .iter()
            .any(|t| in_set(&self.person_tokens, t))
    }

    fn dictionary_kind(&self, column: &str) -> Option<PiiKind> {
        let tokens = tokenize(column);
        best_match(&tokens, &self.dictionary)
            .filter(|m| !self.dropped(&tokens, *m))
            .map(|m| m.kind)
    }

    /// Flag tokens outside the match, or a trailing reference token, drop a match.
    fn dropped(&self, tokens: &[String], m: Match) -> bool {
        let flagged = tokens
            .iter()
            .enumerate()
            .any(|(i, t)| !m.covers(i) && in_set(&self.flag_tokens, t));
        let last = tokens.len() - 1;
        let reference = !m.covers(last)
            && in_set(&self.reference_tokens, &tokens[last])
            && !matches!(m.kind, PiiKind::ExternalId | PiiKind::NationalId);
        flagged || reference
    }

    /// The kind of a value found outside any personal column, or `None`. Only self-validating
    /// kinds are recognised: e-mail, IBAN, NIR, card number, IP address, phone number (E.164 or
    /// French). The whole trimmed value must be the datum; [`PiiPolicy::find_values`] searches
    /// free text. Synthetic values (see [`PiiPolicy::is_synthetic`]) are still recognised.
    pub fn detect_value(&self, value: &str) -> Option<PiiKind> {
        let v = validate::trim(value);
        if v.is_empty() || v.len() > 256 {
            return None;
        }
        if v.contains('@') {
            return validate::is_email(v).then_some(PiiKind::Email);
        }
        if let Some(kind) = number_kind(v) {
            return Some(kind);
        }
        validate::is_ip(v).then_some(PiiKind::IpAddress)
    }

    /// Does `value`, found under a column of `kind`, count as personal data of that kind?
    /// E-mail, phone (leniently: [`validate::is_plausible_phone`]), date of birth, IP, IBAN,
    /// card and national-id values must validate; names and notes must be a non-placeholder
    /// containing a letter; addresses, photos, external ids and health data a non-placeholder.
    pub fn validates(&self, kind: PiiKind, value: &str, reference_year: i32) -> bool {
        match kind {
            PiiKind::Email => validate::is_email(value),
            PiiKind::Phone => validate::is_plausible_phone(value),
            PiiKind::BirthDate => validate::is_birth_date(value, reference_year),
            PiiKind::IpAddress => validate::is_ip(value),
            PiiKind::Iban => validate::is_iban(value),
            PiiKind::CardNumber => validate::is_card_number(value),
            PiiKind::NationalId => validate::is_nir(value) || validate::is_us_ssn(value),
            PiiKind::Name | PiiKind::Notes => {
                !self.is_placeholder(value) && value.chars().any(char::is_alphabetic)
            }
            PiiKind::Address | PiiKind::Photo | PiiKind::ExternalId | PiiKind::Health => {
                !self.is_placeholder(value)
            }
        }
    }

    /// Is a valid value synthetic (seed or documentation data that is not evidence)? E-mails on
    /// reserved or `values.synthetic_email_domains` domains, documentation IP ranges, published
    /// test card numbers, example IBANs and phone numbers reserved for fiction.
    pub fn is_synthetic(&self, kind: PiiKind, value: &str) -> bool {
        match kind {
            PiiKind::Email => {
                validate::is_reserved_email(value)
                    || (!self.synthetic_email_domains.is_empty()
                        && validate::rsplit_once_byte(validate::trim(value), b'@').is_some_and(
                            |(_, d)| {
                                let d = d.trim_end_matches('.').to_ascii_lowercase();
                                self.synthetic_email_domains
                                    .iter()
                                    .any(|s| validate::is_same_or_subdomain(&d, s))
                            },
                        ))
            }
            PiiKind::IpAddress => {
                validate::parse_ip(value).is_some_and(validate::is_documentation_ip)
            }
            PiiKind::CardNumber => validate::is_test_card_number(value),
            PiiKind::Iban => validate::is_example_iban(value),
            PiiKind::Phone => validate::phone_parts(value)
                .is_some_and(|(code, nsn)| validate::is_fiction(code, nsn.as_str())),
            _ => false,
        }
    }

    /// For a value under a column named like `kind`: `None` when it does not validate
    /// ([`PiiPolicy::validates`]), else whether it is synthetic ([`PiiPolicy::is_synthetic`]),
    /// parsing it once where both need the same parse.
    pub(crate) fn judge_named(
        &self,
        kind: PiiKind,
        value: &str,
        reference_year: i32,
    ) -> Option<bool> {
        match kind {
            PiiKind::IpAddress => {
                let ip = validate::parse_ip(value)?;
                validate::is_host(ip).then(|| validate::is_documentation_ip(ip))
            }
            PiiKind::Phone => match validate::phone_parts(value) {
                Some((code, nsn)) => Some(validate::is_fiction(code, nsn.as_str())),
                None => validate::is_plausible_phone(value).then_some(false),
            },
            _ => self
                .validates(kind, value, reference_year)
                .then(|| self.is_synthetic(kind, value)),
        }
    }

    /// Whether values of this kind can be shown to be made up ([`PiiPolicy::is_synthetic`]):
    /// e-mails, phones, IPs, card numbers, IBANs. A name or an address can't: a fixture file
    /// (`dumps.fixtures`) may hold those as long as every provable value is synthetic.
    pub fn provable(kind: PiiKind) -> bool {
        matches!(
            kind,
            PiiKind::Email
                | PiiKind::Phone
                | PiiKind::IpAddress
                | PiiKind::CardNumber
                | PiiKind::Iban
                | PiiKind::NationalId
        )
    }

    /// [`validate::is_placeholder`], or one of `values.placeholders`.
    pub fn is_placeholder(&self, value: &str) -> bool {
        validate::is_placeholder(value)
            || (!self.placeholders.is_empty()
                && self.placeholders.contains(&fold(validate::trim(value))))
    }

    // ---- overlay

    fn apply_root(&mut self, cx: &Cx<'_>, root: &DeTable<'_>) -> Result<(), String> {
        for (key, value) in sorted_entries(root) {
            let name = key.get_ref().as_ref();
            match name {
                "thresholds" => self.apply_thresholds(cx, cx.table(name, value)?)?,
                "columns" => {
                    for (k, v) in sorted_entries(cx.table(name, value)?) {
                        let kind = cx.kind("columns", k)?;
                        let entries = cx.entries(&format!("columns.{}", kind.as_str()), v)?;
                        add_entries(&mut self.dictionary, kind, entries);
                    }
                }
                "context" => self.apply_context(cx, cx.table(name, value)?)?,
                "values" => self.apply_values(cx, cx.table(name, value)?)?,
                "non_personal" => self.apply_non_personal(cx, cx.table(name, value)?)?,
                _ => return Err(cx.unknown(key, None, TOP_KEYS)),
            }
        }
        Ok(())
    }

    fn apply_thresholds(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), String> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("thresholds.{name}");
            match name {
                "min_named_values" => self.thresholds.min_named_values = cx.count(&full, value)?,
                "min_unnamed_distinct" => {
                    self.thresholds.min_unnamed_distinct = cx.count(&full, value)?
                }
                _ => return Err(cx.unknown(key, Some("thresholds"), THRESHOLD_KEYS)),
            }
        }
        Ok(())
    }

    fn apply_context(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), String> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("context.{name}");
            let set = match name {
                "person_tokens" => &mut self.person_tokens,
                "not_person_tokens" => &mut self.not_person_tokens,
                "flag_tokens" => &mut self.flag_tokens,
                "reference_tokens" => &mut self.reference_tokens,
                "person_only" | "with_sibling" => {
                    let list = if name == "person_only" {
                        &mut self.person_only
                    } else {
                        &mut self.with_sibling
                    };
                    for (k, v) in sorted_entries(cx.table(&full, value)?) {
                        let kind = cx.kind(&full, k)?;
                        let entries = cx.entries(&format!("{full}.{}", kind.as_str()), v)?;
                        add_entries(list, kind, entries);
                    }
                    continue;
                }
                _ => return Err(cx.unknown(key, Some("context"), CONTEXT_KEYS)),
            };
            for (item, span) in cx.strings(&full, value)? {
                let tokens = tokenize(&item);
                if tokens.len() != 1 {
                    return Err(cx.error(
                        span,
                        format!(
                            "every entry of `{full}` must be one word (letters only), got {item:?}"
                        ),
                    ));
                }
                set.extend(tokens);
            }
        }
        Ok(())
    }

    fn apply_values(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), String> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("values.{name}");
            match name {
                "placeholders" => {
                    for (item, span) in cx.strings(&full, value)? {
                        let p = fold(item.trim());
                        if p.is_empty() {
                            return Err(cx.error(
                                span,
                                format!("entries of `{full}` must not be blank (blank values are always placeholders)"),
                            ));
                        }
                        self.placeholders.insert(p);
                    }
                }
                "synthetic_email_domains" => {
                    for (item, span) in cx.strings(&full, value)? {
                        let d = item
                            .trim()
                            .trim_start_matches('@')
                            .trim_start_matches("*.")
                            .trim_end_matches('.')
                            .to_ascii_lowercase();
                        let valid = d.contains('.')
                            && d.split('.').all(|l| {
                                !l.is_empty()
                                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                            });
                        if !valid {
                            return Err(cx.error(
                                span,
                                format!("invalid domain {item:?} in `{full}` (expected a domain such as \"seed.mycompany.com\")"),
                            ));
                        }
                        if !self.synthetic_email_domains.contains(&d) {
                            self.synthetic_email_domains.push(d);
                        }
                    }
                }
                _ => return Err(cx.unknown(key, Some("values"), VALUES_KEYS)),
            }
        }
        Ok(())
    }

    fn apply_non_personal(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), String> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let normalised = normalise_name(name);
            let parts = normalised
                .rsplit_once('.')
                .map(|(t, c)| (t.trim().to_string(), c.trim().to_string()))
                .filter(|(t, c)| !t.is_empty() && !c.is_empty());
            let Some((t, c)) = parts else {
                return Err(cx.error(
                    key.span(),
                    format!("invalid key {name:?} in [non_personal]: expected \"table.column\" (quoted), e.g. \"adherent.notes\" = \"reason\""),
                ));
            };
            let reason = match value.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => s.trim().to_string(),
                other => {
                    return Err(cx.error(
                        value.span(),
                        format!(
                        "`non_personal.\"{name}\"` must be a quoted, non-empty reason, got {} {}",
                        a_type(other),
                        cx.shown(value.span())
                    ),
                    ))
                }
            };
            match self
                .non_personal
                .iter_mut()
                .find(|np| np.table == t && np.column == c)
            {
                Some(np) => np.reason = reason,
                None => self.non_personal.push(NonPersonal {
                    table: t,
                    column: c,
                    reason,
                }),
            }
        }
        Ok(())
    }
}

/// The kind of a number-like value: IBAN, NIR, card number or phone (checked in that order).
/// Every number kind (phone, IBAN, NIR, card) has at least this many digits: the shortest
/// E.164 number.
pub(crate) const MIN_DIGITS: usize = 8;

pub(crate) fn number_kind(v: &str) -> Option<PiiKind> {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if digits < MIN_DIGITS {
        return None;
    }
    // Cheap necessary conditions first (the validators allocate): an IBAN starts with its
    // country code, a NIR is 15 characters with a sex digit first, a card number has 13 to
    // 19 digits and starts with one, a phone number starts with `0` or `+`.
    let t = validate::trim(v);
    let first = t.as_bytes().first().copied().unwrap_or(b' ');
    if first.is_ascii_alphabetic() && validate::is_iban(v) {
        Some(PiiKind::Iban)
    } else if (15..=32).contains(&t.len()) && b"123478".contains(&first) && validate::is_nir(v) {
        Some(PiiKind::NationalId)
    } else if (13..=19).contains(&digits) && first.is_ascii_digit() && validate::is_card_number(v) {
        Some(PiiKind::CardNumber)
    } else if matches!(first, b'0' | b'+') && validate::is_phone(v) {
        Some(PiiKind::Phone)
    } else {
        None
    }
}

fn add_entries(list: &mut Vec<Entry>, kind: PiiKind, entries: Vec<Vec<String>>) {
    for tokens in entries {
        let entry = Entry { kind, tokens };
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
}

type Item<'a, 'i> = (&'a Spanned<Cow<'i, str>>, &'a Spanned<DeValue<'i>>);

/// Entries in source order, so the first problem in the file is the one reported.
fn sorted_entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Item<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The file being read, for turning spans into `path:line:column: message` errors.
struct Cx<'a> {
    path: &'a str,
    text: &'a str,
    index: LineIndex,
}

impl Cx<'_> {
    fn error(&self, span: Range<usize>, message: String) -> String {
        let pos = self.index.position(self.text, span.start);
        format!("{}:{}:{}: {message}", self.path, pos.line, pos.column)
    }

    fn syntax_error(&self, e: &toml::de::Error) -> String {
        let message = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        match e.span() {
            Some(span) => self.error(span, format!("invalid TOML: {message}")),
            None => format!("{}: invalid TOML: {message}", self.path),
        }
    }

    /// The value as written, on one line and shortened, for messages.
    fn shown(&self, span: Range<usize>) -> String {
        let raw = self.text.get(span).unwrap_or("");
        let flat = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 40 {
            let cut: String = flat.chars().take(37).collect();
            format!("{cut}...")
        } else {
            flat
        }
    }

    fn unknown(&self, key: &Spanned<Cow<'_, str>>, table: Option<&str>, keys: &[&str]) -> String {
        let name = key.get_ref().as_ref();
        let place = table.map(|t| format!(" in [{t}]")).unwrap_or_default();
        self.error(
            key.span(),
            format!(
                "unknown key `{name}`{place} (expected one of: {})",
                keys.join(", ")
            ),
        )
    }

    fn kind(&self, table: &str, key: &Spanned<Cow<'_, str>>) -> Result<PiiKind, String> {
        let name = key.get_ref().as_ref();
        PiiKind::parse(name).ok_or_else(|| {
            let kinds: Vec<&str> = PiiKind::ALL.iter().map(|k| k.as_str()).collect();
            self.error(
                key.span(),
                format!(
                    "unknown kind `{name}` in [{table}] (expected one of: {})",
                    kinds.join(", ")
                ),
            )
        })
    }

    fn table<'v, 'i>(
        &self,
        key: &str,
        value: &'v Spanned<DeValue<'i>>,
    ) -> Result<&'v DeTable<'i>, String> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            other => Err(self.error(
                value.span(),
                format!(
                    "`{key}` must be a table (write a `[{key}]` section), got {} {}",
                    a_type(other),
                    self.shown(value.span())
                ),
            )),
        }
    }

    /// A positive integer.
    fn count(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<u64, String> {
        if let DeValue::Integer(i) = value.get_ref() {
            if let Ok(n) = u64::from_str_radix(i.as_str(), i.radix()) {
                if n >= 1 {
                    return Ok(n);
                }
            }
        }
        Err(self.error(
            value.span(),
            format!(
                "`{key}` must be a positive integer written without quotes (e.g. `{key} = 1`), got {}",
                self.shown(value.span())
            ),
        ))
    }

    /// An array of strings, each with its span.
    fn strings(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<(String, Range<usize>)>, String> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.error(
                value.span(),
                format!(
                    "`{key}` must be an array of strings (e.g. `{key} = [\"...\"]`), got {} {}",
                    a_type(value.get_ref()),
                    self.shown(value.span())
                ),
            ));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            let DeValue::String(s) = item.get_ref() else {
                return Err(self.error(
                    item.span(),
                    format!(
                        "every entry of `{key}` must be a quoted string, got {} {}",
                        a_type(item.get_ref()),
                        self.shown(item.span())
                    ),
                ));
            };
            out.push((s.to_string(), item.span()));
        }
        Ok(out)
    }

    /// Dictionary entries, tokenised; an entry without letters is an error.
    fn entries(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Vec<Vec<String>>, String> {
        let mut out = Vec::new();
        for (item, span) in self.strings(key, value)? {
            let tokens = tokenize(&item);
            if tokens.is_empty() {
                return Err(self.error(
                    span,
                    format!("entry {item:?} of `{key}` has no letters; entries are column names or words such as \"date_naissance\""),
                ));
            }
            out.push(tokens);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> PiiPolicy {
        PiiPolicy::default_policy()
    }

    fn kind(table: &str, column: &str) -> Option<PiiKind> {
        p().column_kind(table, column, &[])
    }

    #[test]
    fn embedded_policy_parses_and_has_every_kind() {
        let policy = p();
        assert_eq!(policy.thresholds.min_named_values, 1);
        assert_eq!(policy.thresholds.min_unnamed_distinct, 5);
        for k in PiiKind::ALL {
            assert!(
                policy.dictionary.iter().any(|e| e.kind == k),
                "no dictionary entry for {k:?}"
            );
        }
        assert!(policy.non_personal.is_empty());
    }

    #[test]
    fn every_dictionary_key_in_the_file_is_commented() {
        // Like default.toml: every key line is preceded by a comment line (or a key of the
        // same list continued on the next lines).
        let lines: Vec<&str> = PII_POLICY_TOML.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let is_key = !line.starts_with('#')
                && !line.starts_with(' ')
                && !line.starts_with('[')
                && !line.starts_with(']')
                && line.contains(" = ");
            if is_key {
                let mut j = i;
                while j > 0 && !lines[j - 1].trim().is_empty() && !lines[j - 1].starts_with('#') {
                    j -= 1;
                }
                assert!(
                    j > 0 && lines[j - 1].starts_with('#'),
                    "key without a comment at line {}: {line}",
                    i + 1
                );
            }
        }
    }

    #[test]
    fn dictionary_kinds() {
        let cases: &[(&str, &str, Option<PiiKind>)] = &[
            ("users", "email", Some(PiiKind::Email)),
            ("t", "courriel", Some(PiiKind::Email)),
            ("t", "e_mail", Some(PiiKind::Email)),
            ("t", "eMail", Some(PiiKind::Email)),
            ("t", "contact_emails", Some(PiiKind::Email)),
            ("t", "adresse_email", Some(PiiKind::Email)),
            ("t", "first_name", Some(PiiKind::Name)),
            ("t", "firstName", Some(PiiKind::Name)),
            ("t", "Prénom", Some(PiiKind::Name)),
            ("t", "nom_famille", Some(PiiKind::Name)),
            ("t", "nom_naissance", Some(PiiKind::Name)),
            ("t", "telephone", Some(PiiKind::Phone)),
            ("t", "téléphone_portable", Some(PiiKind::Phone)),
            ("t", "phone2", Some(PiiKind::Phone)),
            ("t", "adresse", Some(PiiKind::Address)),
            ("t", "code_postal", Some(PiiKind::Address)),
            ("t", "zip_code", Some(PiiKind::Address)),
            ("t", "lieu_naissance", Some(PiiKind::Address)),
            ("t", "date_naissance", Some(PiiKind::BirthDate)),
            ("t", "dateNaissance", Some(PiiKind::BirthDate)),
            ("t", "dob", Some(PiiKind::BirthDate)),
            ("t", "last_login_ip", Some(PiiKind::IpAddress)),
            ("t", "lastLoginIP", Some(PiiKind::IpAddress)),
            ("t", "remote_addr", Some(PiiKind::IpAddress)),
            ("t", "adresse_ip", Some(PiiKind::IpAddress)),
            ("t", "ip_address", Some(PiiKind::IpAddress)),
            ("t", "numero_licence", Some(PiiKind::ExternalId)),
            ("t", "license_number", Some(PiiKind::ExternalId)),
            ("t", "passport_id", Some(PiiKind::ExternalId)),
            ("t", "num_secu", Some(PiiKind::NationalId)),
            ("t", "nir", Some(PiiKind::NationalId)),
            ("t", "iban", Some(PiiKind::Iban)),
            ("t", "card_number", Some(PiiKind::CardNumber)),
            ("t", "avatar_url", Some(PiiKind::Photo)),
            ("t", "private_notes", Some(PiiKind::Notes)),
            ("t", "notes_privees", Some(PiiKind::Notes)),
            ("t", "commentaire", Some(PiiKind::Notes)),
            ("t", "certificat_medical", Some(PiiKind::Health)),
            ("t", "notes_medicales", Some(PiiKind::Health)),
            ("t", "allergies", Some(PiiKind::Health)),
            ("t", "santé", Some(PiiKind::Health)),
        ];
        for (table, column, expected) in cases {
            assert_eq!(kind(table, column), *expected, "{table}.{column}");
        }
    }

    #[test]
    fn never_substrings() {
        for column in [
            "filename",
            "zipped",
            "description",
            "hotel",
            "nominal",
            "telemetry",
            "shipping",
            "email_verified",
            "emailVerifiedAt",
            "has_photo",
            "phone_count",
            "address_id",
            "address_type",
            "photo_uuid",
            "sku",
            "price",
            "username",
            "display_name",
            "cpu",
            "bic",
        ] {
            assert_eq!(kind("users", column), None, "users.{column}");
        }
    }

    #[test]
    fn name_needs_a_person_context() {
        assert_eq!(kind("product", "name"), None);
        assert_eq!(kind("produit", "nom"), None);
        assert_eq!(kind("users", "name"), Some(PiiKind::Name));
        assert_eq!(kind("public.adherents", "nom"), Some(PiiKind::Name));
        assert_eq!(kind("auth_user", "name"), Some(PiiKind::Name));
        assert_eq!(kind("orders", "customer_name"), Some(PiiKind::Name));
        assert_eq!(kind("commandes", "nom_client"), Some(PiiKind::Name));
        assert_eq!(kind("customers", "company_name"), None);
        assert_eq!(kind("adherent", "nom_club"), None);
        assert_eq!(kind("users", "file_name"), None);
        assert_eq!(kind("products", "product_name"), None);
        assert_eq!(kind("users", "photo"), Some(PiiKind::Photo));
        assert_eq!(kind("users", "photo_url"), Some(PiiKind::Photo));
        assert_eq!(kind("products", "photo"), None);
        assert_eq!(kind("users", "cover_photo"), None);
        assert_eq!(kind("", "name"), None);
    }

    #[test]
    fn cp_needs_an_address_sibling() {
        let policy = p();
        let with = ["id", "adresse", "cp", "ville"];
        let without = ["id", "cp", "montant"];
        assert_eq!(
            policy.column_kind("adherent", "cp", &with),
            Some(PiiKind::Address)
        );
        assert_eq!(policy.column_kind("adherent", "cp", &without), None);
        assert_eq!(policy.column_kind("adherent", "cp", &["cp"]), None);
        assert_eq!(policy.column_kind("adherent", "cp", &[]), None);
        assert_eq!(
            policy.column_kind("adherent", "cp", &["address_id"]),
            None,
            "a reference is not an address column"
        );
    }

    #[test]
    fn detect_value_recognises_self_validating_kinds_only() {
        let policy = p();
        let cases: &[(&str, Option<PiiKind>)] = &[
            ("jean.dupont@gmail.com", Some(PiiKind::Email)),
            ("seed@example.com", Some(PiiKind::Email)),
            ("not@an@email", None),
            ("06 12 34 56 78", Some(PiiKind::Phone)),
            ("+44 20 7946 0958", Some(PiiKind::Phone)),
            ("192.168.1.10", Some(PiiKind::IpAddress)),
            ("127.0.0.1", None),
            ("FR76 3000 6000 0112 3456 7890 189", Some(PiiKind::Iban)),
            ("4970 1012 3456 7893", Some(PiiKind::CardNumber)),
            ("Jean Dupont", None),
            ("1985-03-12", None),
            ("12 rue de la Paix", None),
            ("0.123456789", None),
            ("42", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(policy.detect_value(value), *expected, "{value}");
        }
        let body = "2850578006084";
        let nir = format!("{body}{:02}", validate::nir_key(body).unwrap());
        assert_eq!(policy.detect_value(&nir), Some(PiiKind::NationalId));
    }

    #[test]
    fn validates_by_kind() {
        let policy = p();
        assert!(policy.validates(PiiKind::Name, "Jean", 2025));
        assert!(!policy.validates(PiiKind::Name, "\\N", 2025));
        assert!(!policy.validates(PiiKind::Name, "anonyme", 2025));
        assert!(!policy.validates(PiiKind::Notes, "4.5", 2025));
        assert!(policy.validates(PiiKind::Health, "t", 2025));
        assert!(policy.validates(PiiKind::Address, "75011", 2025));
        assert!(policy.validates(PiiKind::Phone, "(212) 555-0123", 2025));
        assert!(!policy.validates(PiiKind::Email, "jean", 2025));
        assert!(policy.validates(PiiKind::NationalId, "123-45-6789", 2025));
    }

    #[test]
    fn synthetic_values() {
        let mut policy = p();
        assert!(policy.is_synthetic(PiiKind::Email, "a@example.com"));
        assert!(!policy.is_synthetic(PiiKind::Email, "a@acme.io"));
        policy
            .overlay_toml(
                "[values]\nsynthetic_email_domains = [\"@acme.io\"]\n",
                "pii.toml",
            )
            .unwrap();
        assert!(policy.is_synthetic(PiiKind::Email, "a@acme.io"));
        assert!(policy.is_synthetic(PiiKind::Email, "a@seed.ACME.io"));
        assert!(!policy.is_synthetic(PiiKind::Email, "a@notacme.io"));
        assert!(policy.is_synthetic(PiiKind::IpAddress, "203.0.113.9"));
        assert!(policy.is_synthetic(PiiKind::CardNumber, "4242 4242 4242 4242"));
        // Numbers reserved for fiction (ARCEP, NANP 555-01xx, Ofcom drama ranges).
        assert!(policy.is_synthetic(PiiKind::Phone, "06 39 98 12 34"));
        assert!(policy.is_synthetic(PiiKind::Phone, "+33 1 99 00 12 34"));
        assert!(policy.is_synthetic(PiiKind::Phone, "+1 212 555 0142"));
        assert!(policy.is_synthetic(PiiKind::Phone, "+44 7700 900123"));
        assert!(!policy.is_synthetic(PiiKind::Phone, "06 12 34 56 78"));
        assert!(!policy.is_synthetic(PiiKind::Phone, "+1 212 555 0242"));
        assert!(!policy.is_synthetic(PiiKind::Name, "Jean"));
    }

    #[test]
    fn overlay_extends_lists_and_replaces_thresholds() {
        let mut policy = p();
        policy
            .overlay_toml(
                r#"
[thresholds]
min_unnamed_distinct = 3

[columns]
name = ["nom_usage_sportif"]
external-id = ["numero_ffe"]

[context]
person_tokens = ["sportif"]

[context.person_only]
photo = ["trombine"]

[values]
placeholders = ["Pas renseigné"]

[non_personal]
"*.note" = "grades out of 20, not free text"
"public.adherent.commentaire" = "always empty, checked in CI"
"ref_pays.*" = "reference data"
"#,
                "tollgate-pii.toml",
            )
            .unwrap();
        assert_eq!(policy.thresholds.min_unnamed_distinct, 3);
        assert_eq!(policy.thresholds.min_named_values, 1);
        assert_eq!(
            policy.column_kind("t", "numero_ffe", &[]),
            Some(PiiKind::ExternalId)
        );
        assert_eq!(
            policy.column_kind("t", "nom_usage_sportif", &[]),
            Some(PiiKind::Name)
        );
        assert_eq!(
            policy.column_kind("sportifs", "nom", &[]),
            Some(PiiKind::Name)
        );
        assert_eq!(
            policy.column_kind("sportifs", "trombine", &[]),
            Some(PiiKind::Photo)
        );
        // The defaults are still there.
        assert_eq!(policy.column_kind("t", "email", &[]), Some(PiiKind::Email));
        assert!(policy.is_placeholder("pas renseigne"));
        assert!(policy.is_placeholder("null"));

        assert_eq!(
            policy.is_non_personal("evaluation", "note"),
            Some("grades out of 20, not free text")
        );
        assert_eq!(policy.column_kind("evaluation", "note", &[]), None);
        assert_eq!(
            policy.column_kind("evaluation", "notes", &[]),
            Some(PiiKind::Notes)
        );
        assert!(policy.is_non_personal("adherent", "commentaire").is_some());
        assert!(policy
            .is_non_personal("\"public\".\"adherent\"", "\"Commentaire\"")
            .is_some());
        assert!(policy
            .is_non_personal("archive.adherent", "commentaire")
            .is_none());
        assert!(policy.is_non_personal("ref_pays", "nom").is_some());
        assert!(policy.is_non_personal("", "note").is_some());
        assert!(policy.is_non_personal("", "commentaire").is_none());
    }

    #[test]
    fn overlay_errors_name_file_line_and_column() {
        let cases: &[(&str, &str)] = &[
            (
                "[thresholds]\nmin_named_values = 0\n",
                "pii.toml:2:20: `thresholds.min_named_values` must be a positive integer",
            ),
            ("[thresholds]\nmin_named_values = \"1\"\n", "pii.toml:2:20:"),
            (
                "[columns]\nmails = [\"x\"]\n",
                "pii.toml:2:1: unknown kind `mails` in [columns]",
            ),
            (
                "[columns]\nemail = \"courriel\"\n",
                "pii.toml:2:9: `columns.email` must be an array of strings",
            ),
            (
                "[columns]\nemail = [\"ok\", 3]\n",
                "pii.toml:2:16: every entry of `columns.email` must be a quoted string",
            ),
            (
                "[columns]\nemail = [\"42\"]\n",
                "pii.toml:2:10: entry \"42\" has no letters",
            ),
            (
                "colums = 1\n",
                "pii.toml:1:1: unknown key `colums` (expected one of: thresholds",
            ),
            (
                "[context]\nperson_tokens = [\"two words\"]\n",
                "pii.toml:2:18: every entry of `context.person_tokens` must be one word",
            ),
            (
                "[non_personal]\nnotes = \"x\"\n",
                "pii.toml:2:1: invalid key \"notes\" in [non_personal]",
            ),
            (
                "[non_personal]\n\"a.notes\" = \"\"\n",
                "pii.toml:2:13: `non_personal.\"a.notes\"` must be a quoted, non-empty reason",
            ),
            (
                "[values]\nsynthetic_email_domains = [\"nodot\"]\n",
                "pii.toml:2:28: invalid domain",
            ),
            ("[thresholds\n", "pii.toml:1:"),
        ];
        for (text, expected) in cases {
            let mut policy = p();
            let before = policy.clone();
            let err = policy.overlay_toml(text, "pii.toml").unwrap_err();
            let expected_prefix =
                expected.replace(" has no letters", " of `columns.email` has no letters");
            assert!(
                err.starts_with(&expected_prefix) || err.starts_with(expected),
                "{text:?}\n got: {err}\nwant: {expected}"
            );
            assert_eq!(policy, before, "the policy changed on error");
        }
    }
}
