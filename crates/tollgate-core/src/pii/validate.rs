//! Value validators: a value is evidence of personal data only when it is *valid* for its kind
//! (checksums, numbering plans, calendar dates), and "synthetic" values (reserved e-mail
//! domains, documentation IP ranges, published test card numbers and example IBANs) are told
//! apart so that seed data does not block.
//!
//! Every function takes any string and never panics.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::tokens::fold;

// ---------------------------------------------------------------------------------------------
// E-mail

/// `s.trim()` (Unicode white space off both ends), answered without the generic search when
/// both ends are visible ASCII, as they are for nearly every value of a dump.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// `s.split_once(c)` for an ASCII byte `c`, by a byte search (`CharSearcher` is a call and a
/// `memchr` set-up per use: too much for the short values of a dump).
#[inline]
pub(crate) fn split_once_byte(s: &str, c: u8) -> Option<(&str, &str)> {
    debug_assert!(c.is_ascii());
    let i = s.bytes().position(|b| b == c)?;
    // An ASCII byte: both sides are char boundaries.
    Some((&s[..i], &s[i + 1..]))
}

/// `s.rsplit_once(c)` for an ASCII byte `c` (see [`split_once_byte`]).
#[inline]
pub(crate) fn rsplit_once_byte(s: &str, c: u8) -> Option<(&str, &str)> {
    debug_assert!(c.is_ascii());
    let i = s.bytes().rposition(|b| b == c)?;
    Some((&s[..i], &s[i + 1..]))
}

/// A syntactically valid address `local@domain`: an unquoted ASCII local part (RFC 5322
/// `dot-atom`, at most 64 characters) and a domain of at least two LDH labels whose last label
/// (the TLD) is alphabetic or an IDN `xn--` label; 254 characters at most.
pub fn is_email(value: &str) -> bool {
    let v = trim(value);
    if v.len() > 254 {
        return false;
    }
    let Some((local, domain)) = split_once_byte(v, b'@') else {
        return false;
    };
    is_local_part(local) && is_domain(domain)
}

/// The bytes of an e-mail's local part: ASCII letters and digits, `.` and
/// ``!#$%&'*+/=?^_`{|}~-``.
const LOCAL_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'.';
        i += 1;
    }
    let specials = b"!#$%&'*+/=?^_`{|}~-";
    let mut k = 0;
    while k < specials.len() {
        t[specials[k] as usize] = true;
        k += 1;
    }
    t
};

/// 1 to 64 bytes of [`LOCAL_BYTE`], without a leading, trailing or doubled `.`; one pass.
fn is_local_part(local: &str) -> bool {
    let b = local.as_bytes();
    if b.is_empty() || b.len() > 64 || b[0] == b'.' || b[b.len() - 1] == b'.' {
        return false;
    }
    let mut dot = false;
    for &c in b {
        if !LOCAL_BYTE[usize::from(c)] || (dot && c == b'.') {
            return false;
        }
        dot = c == b'.';
    }
    true
}

/// Labels of 1 to 63 letters, digits and `-`, not starting or ending with `-`, separated by
/// single dots, and a top-level label of at least two letters (or an `xn--` label); one pass
/// over the labels.
fn is_domain(domain: &str) -> bool {
    let b = domain.as_bytes();
    if b.len() > 253 {
        return false;
    }
    let Some(last_dot) = memchr::memrchr(b'.', b) else {
        return false;
    };
    let mut from = 0;
    for end in memchr::memchr_iter(b'.', b).chain(std::iter::once(b.len())) {
        let label = &b[from..end];
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            return false;
        }
        from = end + 1;
    }
    let tld = &b[last_dot + 1..];
    (tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic))
        || (tld.len() > 4 && tld[..4].eq_ignore_ascii_case(b"xn--"))
}

/// Is the domain of this address reserved for documentation and tests (RFC 2606, RFC 6761):
/// `example.com`, `example.org`, `example.net` and their subdomains, any name under the
/// `.example`, `.test`, `.invalid` or `.localhost` TLDs, and `localhost`? A reserved address
/// is synthetic, not evidence of personal data.
pub fn is_reserved_email(value: &str) -> bool {
    rsplit_once_byte(trim(value), b'@').is_some_and(|(_, domain)| is_reserved_domain(domain))
}

/// See [`is_reserved_email`]. Case-insensitive; a trailing dot is ignored.
pub fn is_reserved_domain(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.');
    // Compared without lower-casing a copy: the names are ASCII.
    let same_or_sub = |parent: &str| {
        d.eq_ignore_ascii_case(parent)
            || (d.len() > parent.len()
                && d.as_bytes()[d.len() - parent.len()..].eq_ignore_ascii_case(parent.as_bytes())
                && d.as_bytes()[d.len() - parent.len() - 1] == b'.')
    };
    if ["example.com", "example.org", "example.net"]
        .iter()
        .any(|r| same_or_sub(r))
    {
        return true;
    }
    let tld = d.rsplit('.').next().unwrap_or("");
    ["example", "test", "invalid", "localhost"]
        .iter()
        .any(|r| tld.eq_ignore_ascii_case(r))
}

/// Is `domain` equal to `parent` or a subdomain of it (both lower-case)?
pub(crate) fn is_same_or_subdomain(domain: &str, parent: &str) -> bool {
    domain == parent
        || domain
            .strip_suffix(parent)
            .is_some_and(|head| head.ends_with('.'))
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/// A parsed phone number: the E.164 country code and the national significant number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub country_code: u16,
    pub national: String,
}

/// Numbers reserved for fiction, which never reach a subscriber: ARCEP's ranges for films and
/// books in France (01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49, 06 39 98 followed by four
/// digits), North America's 555-0100 to 555-0199, and Ofcom's drama ranges (07700 900xxx,
/// 020 7946 0xxx).
pub fn is_fiction_phone(p: &Phone) -> bool {
    is_fiction(p.country_code, &p.national)
}

/// [`is_fiction_phone`] of a country code and national number.
pub(crate) fn is_fiction(country_code: u16, n: &str) -> bool {
    match country_code {
        33 => ["19900", "26191", "35301", "46571", "53649", "63998"]
            .iter()
            .any(|prefix| n.len() == 9 && n.starts_with(prefix)),
        1 => n.len() == 10 && n[3..].starts_with("55501"),
        44 => {
            (n.len() == 10 && n.starts_with("7700900"))
                || (n.len() == 10 && n.starts_with("2079460"))
        }
        _ => false,
    }
}

/// ITU-T E.164 country codes in service (geographic areas; the set is prefix-free).
const COUNTRY_CODES: &[u16] = &[
    1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54,
    55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, 211,
    212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234,
    235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253,
    254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290, 291, 297, 298,
    299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377,
    378, 379, 380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505,
    506, 507, 508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675,
    676, 677, 678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 850, 852, 853,
    855, 856, 880, 886, 960, 961, 962, 963, 964, 965, 966, 967, 968, 970, 971, 972, 973, 974, 975,
    976, 977, 992, 993, 994, 995, 996, 998,
];

/// Is `code` an E.164 country code in service?
pub fn is_country_code(code: u16) -> bool {
    COUNTRY_CODES.binary_search(&code).is_ok()
}

fn all_same(digits: &str) -> bool {
    let mut bytes = digits.bytes();
    match bytes.next() {
        Some(first) => bytes.all(|b| b == first),
        None => true,
    }
}

/// The digits of `s` when it holds only digits and the separators in `seps`.
fn digits_only(s: &str, seps: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_digit() {
            out.push(b as char);
        } else if !seps.contains(&b) {
            return None;
        }
    }
    Some(out)
}

/// Up to 32 ASCII digits, on the stack: the phone parsers run on every value of a phone
/// column and allocate nothing until a [`Phone`] is asked for.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    buf: [u8; 32],
    len: usize,
}

impl Digits {
    fn of(digits: &[u8]) -> Digits {
        let mut d = Digits {
            buf: [0; 32],
            len: digits.len().min(32),
        };
        d.buf[..d.len].copy_from_slice(&digits[..d.len]);
        d
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(self.bytes()).unwrap_or("")
    }
}

/// [`digits_only`] on the stack, for `s` of at most 32 bytes (`None` past 32 digits).
fn stack_digits(s: &[u8], seps: &[u8]) -> Option<Digits> {
    let mut d = Digits {
        buf: [0; 32],
        len: 0,
    };
    for &b in s {
        if b.is_ascii_digit() {
            if d.len == d.buf.len() {
                return None;
            }
            d.buf[d.len] = b;
            d.len += 1;
        } else if !seps.contains(&b) {
            return None;
        }
    }
    Some(d)
}

/// `s` without its first `(0)` (what `str::replacen("(0)", "", 1)` returns), in `tmp` when
/// there is one; `s` is at most 32 bytes.
fn without_trunk_zero<'a>(s: &'a [u8], tmp: &'a mut [u8; 32]) -> &'a [u8] {
    match memchr::memmem::find(s, b"(0)") {
        Some(i) if s.len() <= tmp.len() => {
            let (head, tail) = (&s[..i], &s[i + 3..]);
            tmp[..head.len()].copy_from_slice(head);
            tmp[head.len()..head.len() + tail.len()].copy_from_slice(tail);
            &tmp[..head.len() + tail.len()]
        }
        _ => s,
    }
}

fn all_same_bytes(digits: &[u8]) -> bool {
    digits.iter().all(|&b| Some(&b) == digits.first())
}

/// French national rules on the 9-digit national significant number: first digit 1 to 9 (0 is
/// the trunk prefix), and not a run of one repeated digit after it (`06 11 11 11 11`).
fn french_nsn_ok(nsn: &[u8]) -> bool {
    nsn.len() == 9
        && nsn[0] != b'0'
        && nsn.iter().all(u8::is_ascii_digit)
        && !all_same_bytes(&nsn[1..])
}

/// A French number: `06 12 34 56 78`, `06.12.34.56.78`, `06-12-34-56-78`, `0612345678`,
/// `+33 6 12 34 56 78`, `+33 (0)6 12 34 56 78`, `+33612345678`, `0033 6 12 34 56 78`.
/// Separators (space, dot, dash) may only split the number into groups of 1 to 4 digits, so a
/// decimal such as `0.123456789` is not a phone number.
pub fn parse_french_phone(value: &str) -> Option<Phone> {
    french_nsn(value).map(|nsn| Phone {
        country_code: 33,
        national: nsn.as_str().to_string(),
    })
}

/// The national significant number of [`parse_french_phone`].
fn french_nsn(value: &str) -> Option<Digits> {
    let v = trim(value);
    if v.len() > 32 {
        return None;
    }
    let international = v.starts_with("+33") || v.starts_with("0033");
    let mut tmp = [0u8; 32];
    let v = if international {
        without_trunk_zero(v.as_bytes(), &mut tmp)
    } else {
        v.as_bytes()
    };
    let is_sep = |b: &u8| matches!(b, b' ' | b'.' | b'-');
    if v.iter().any(is_sep) {
        for (i, g) in v.split(is_sep).enumerate() {
            let g = if i == 0 {
                g.strip_prefix(b"+").unwrap_or(g)
            } else {
                g
            };
            if g.is_empty() || g.len() > 4 || !g.iter().all(u8::is_ascii_digit) {
                return None;
            }
        }
    }
    let rest = v.strip_prefix(b"+").unwrap_or(v);
    if rest.len() != v.len() && !international {
        return None;
    }
    let digits = stack_digits(rest, b" .-")?;
    let d = digits.bytes();
    let nsn = if v.starts_with(b"+33") {
        d.strip_prefix(b"33")?
    } else if international {
        d.strip_prefix(b"0033")?
    } else {
        d.strip_prefix(b"0")?
    };
    french_nsn_ok(nsn).then(|| Digits::of(nsn))
}

/// See [`parse_french_phone`].
pub fn is_french_phone(value: &str) -> bool {
    french_nsn(value).is_some()
}

/// An international number: `+`, a country code in service, then the national number, 8 to 15
/// digits in all; spaces, dots, dashes and parentheses may separate digits, and a `(0)` trunk
/// prefix is dropped. France (+33) follows [`parse_french_phone`]'s national rules and North
/// America (+1) the NANP rules (10 digits, area code and exchange starting with 2 to 9). A
/// national number of one repeated digit is rejected.
pub fn parse_e164(value: &str) -> Option<Phone> {
    e164_parts(value).map(|(country_code, nsn)| Phone {
        country_code,
        national: nsn.as_str().to_string(),
    })
}

/// The country code and national number of [`parse_e164`].
fn e164_parts(value: &str) -> Option<(u16, Digits)> {
    let v = trim(value);
    if v.len() > 32 {
        return None;
    }
    let rest = v.strip_prefix('+')?;
    // Country codes never start with 0.
    if !rest.starts_with(|c: char| c.is_ascii_digit() && c != '0') {
        return None;
    }
    let mut tmp = [0u8; 32];
    let rest = without_trunk_zero(rest.as_bytes(), &mut tmp);
    let digits = stack_digits(rest, b" .-()")?;
    let d = digits.bytes();
    if !(8..=15).contains(&d.len()) {
        return None;
    }
    let (code, nsn) = (1..=3).find_map(|n| {
        let code = d[..n]
            .iter()
            .fold(0u16, |c, b| c * 10 + u16::from(b - b'0'));
        is_country_code(code).then(|| (code, &d[n..]))
    })?;
    let ok = match code {
        33 => french_nsn_ok(nsn),
        1 => nsn.len() == 10 && nsn[0] >= b'2' && nsn[3] >= b'2',
        _ => !nsn.is_empty(),
    };
    (ok && !all_same_bytes(nsn)).then(|| (code, Digits::of(nsn)))
}

/// See [`parse_e164`].
pub fn is_e164(value: &str) -> bool {
    e164_parts(value).is_some()
}

/// A French or international number ([`parse_french_phone`], then [`parse_e164`]).
pub fn parse_phone(value: &str) -> Option<Phone> {
    parse_french_phone(value).or_else(|| parse_e164(value))
}

/// The country code and national number of [`parse_phone`], without allocating.
pub(crate) fn phone_parts(value: &str) -> Option<(u16, Digits)> {
    french_nsn(value)
        .map(|nsn| (33, nsn))
        .or_else(|| e164_parts(value))
}

/// See [`parse_phone`]. This is the strict check used for values found outside a phone column.
pub fn is_phone(value: &str) -> bool {
    phone_parts(value).is_some()
}

/// The lenient check used under a column named like a phone: [`is_phone`], or any national
/// format of 7 to 15 digits written with phone punctuation only (`(212) 555-0123`,
/// `030 1234567`), not one repeated digit.
pub fn is_plausible_phone(value: &str) -> bool {
    if is_phone(value) {
        return true;
    }
    let v = trim(value);
    if v.len() > 32 {
        return false;
    }
    let v = v.strip_prefix('+').unwrap_or(v);
    match stack_digits(v.as_bytes(), b" .-()/") {
        Some(d) => (7..=15).contains(&d.len) && !all_same_bytes(d.bytes()),
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------
// IP addresses

/// An IPv4 or IPv6 address, optionally with a host prefix length (`/32`, `/128`) as PostgreSQL
/// `inet` prints it. A network (`10.0.0.0/8`) is not an address.
pub fn parse_ip(value: &str) -> Option<IpAddr> {
    let v = trim(value);
    if v.len() > 64 {
        return None;
    }
    let (addr, prefix) = match v.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (v, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    match (ip, prefix) {
        (_, None) | (IpAddr::V4(_), Some("32")) | (IpAddr::V6(_), Some("128")) => Some(ip),
        _ => None,
    }
}

/// Addresses that never identify a person's connection: `0.0.0.0/8`, loopback, multicast,
/// broadcast, `::`. Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local
/// addresses are NOT excluded: they appear in login histories and are personal data.
fn is_non_host(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.octets()[0] == 0 || v4.is_loopback() || v4.is_multicast() || v4.is_broadcast()
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_non_host(IpAddr::V4(v4)),
            None => v6.is_unspecified() || v6.is_loopback() || v6.is_multicast(),
        },
    }
}

/// Documentation ranges (RFC 5737, RFC 3849, RFC 9637): 192.0.2.0/24, 198.51.100.0/24,
/// 203.0.113.0/24, 2001:db8::/32 and 3fff::/20. Such an address is synthetic.
pub fn is_documentation_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_documentation_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_documentation_v4(v4),
            None => is_documentation_v6(v6),
        },
    }
}

fn is_documentation_v4(v4: Ipv4Addr) -> bool {
    matches!(
        v4.octets(),
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]
    )
}

fn is_documentation_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] & 0xfff0) == 0x3ff0
}

/// An address of a host that may be a person's connection ([`parse_ip`] minus `0.0.0.0/8`,
/// loopback, multicast, broadcast and `::`). Documentation ranges pass: they are reported as
/// synthetic rather than rejected.
pub fn is_ip(value: &str) -> bool {
    parse_ip(value).is_some_and(is_host)
}

/// Not one of the addresses [`is_ip`] rejects.
pub(crate) fn is_host(ip: IpAddr) -> bool {
    !is_non_host(ip)
}

/// An IP address that counts as evidence: [`is_ip`] and not a documentation range.
pub fn is_ip_evidence(value: &str) -> bool {
    parse_ip(value).is_some_and(|ip| !is_non_host(ip) && !is_documentation_ip(ip))
}

// ---------------------------------------------------------------------------------------------
// IBAN

/// IBAN lengths of the SEPA countries (and a few neighbours that use the same format).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// The IBAN without spaces, upper-cased, when it has the shape of one (used by redaction).
pub(crate) fn compact_iban(value: &str) -> Option<String> {
    let v = trim(value);
    if v.len() < 15 || v.len() > 48 {
        return None;
    }
    let s: String = v
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() >= 15 && s.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(s)
}

/// ISO 13616 IBAN: a SEPA country code with its length, two check digits, an alphanumeric BBAN
/// and the mod-97 check (the rearranged number mod 97 is 1). Spaces are allowed anywhere,
/// lower case is accepted.
pub fn is_iban(value: &str) -> bool {
    let Some(s) = compact_iban(value) else {
        return false;
    };
    let b = s.as_bytes();
    let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(cc, _)| cc.as_bytes() == &b[..2]) else {
        return false;
    };
    s.len() == len && b[2].is_ascii_digit() && b[3].is_ascii_digit() && iban_mod97(&s) == 1
}

/// The ISO 7064 mod-97-10 remainder of the rearranged IBAN (letters count as 10 to 35).
/// Expects an upper-case alphanumeric string of at least 4 characters.
pub(crate) fn iban_mod97(s: &str) -> u32 {
    let rearranged = s[4..].bytes().chain(s[..4].bytes());
    rearranged.fold(0u32, |r, b| {
        if b.is_ascii_digit() {
            (r * 10 + u32::from(b - b'0')) % 97
        } else {
            (r * 100 + u32::from(b - b'A') + 10) % 97
        }
    })
}

/// Example IBANs published in standards and bank documentation: synthetic.
const EXAMPLE_IBANS: &[&str] = &[
    "GB82WEST12345698765432",
    "DE89370400440532013000",
    "FR1420041010050500013M02606",
    "FR7630006000011234567890189",
];

/// Is this one of the example IBANs of the standard and of bank documentation?
pub fn is_example_iban(value: &str) -> bool {
    compact_iban(value).is_some_and(|s| EXAMPLE_IBANS.contains(&s.as_str()))
}

// ---------------------------------------------------------------------------------------------
// French NIR (numéro de sécurité sociale)

/// The NIR without spaces, upper-cased, when it is 15 characters (used by redaction).
pub(crate) fn compact_nir(value: &str) -> Option<String> {
    let v = trim(value);
    if v.len() < 15 || v.len() > 32 {
        return None;
    }
    let s: String = v
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == 15 && s.is_ascii()).then_some(s)
}

/// The NIR control key of the first 13 characters: `97 - (number mod 97)`, with Corsica's
/// `2A` read as 19 and `2B` as 18. `None` when the 13 characters are not digits (or 2A/2B in
/// the department position).
pub fn nir_key(first13: &str) -> Option<u32> {
    if first13.len() != 13 || !first13.is_ascii() {
        return None;
    }
    let dept = &first13[5..7];
    let dept = match dept {
        "2A" | "2a" => "19",
        "2B" | "2b" => "18",
        d => d,
    };
    let number = format!("{}{}{}", &first13[..5], dept, &first13[7..]);
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = number.parse().ok()?;
    Some(97 - (n % 97) as u32)
}

/// A French NIR: 15 characters (spaces allowed): sex digit 1 or 2 (3, 4, 7, 8 for temporary
/// numbers), birth year, birth month 01–12, 20–42 or 50–99, department (digits, `2A`, `2B`),
/// commune and order number, and the 2-digit key of [`nir_key`].
pub fn is_nir(value: &str) -> bool {
    let Some(s) = compact_nir(value) else {
        return false;
    };
    let b = s.as_bytes();
    if !matches!(b[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
        return false;
    }
    let Ok(month) = s[3..5].parse::<u32>() else {
        return false;
    };
    if !(matches!(month, 1..=12 | 20..=42 | 50..=99) && s[1..3].bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let Ok(key) = s[13..15].parse::<u32>() else {
        return false;
    };
    s[13..15].bytes().all(|c| c.is_ascii_digit()) && nir_key(&s[..13]) == Some(key)
}

/// A US social security number `AAA-GG-SSSS` (dashes or spaces optional): area not 000, 666
/// or 900–999, group not 00, serial not 0000. Used under a column named like one only.
pub fn is_us_ssn(value: &str) -> bool {
    let Some(d) = digits_only(trim(value), b" -") else {
        return false;
    };
    if d.len() != 9 || trim(value).len() > 11 {
        return false;
    }
    let area: u32 = d[..3].parse().unwrap_or(0);
    area != 0 && area != 666 && area < 900 && &d[3..5] != "00" && &d[5..] != "0000"
}

// ---------------------------------------------------------------------------------------------
// Payment cards

/// Luhn (mod 10) check over a string of ASCII digits; false for anything else or empty.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card digits when `value` is 13–19 digits with optional space or dash separators.
pub(crate) fn card_digits(value: &str) -> Option<String> {
    let v = trim(value);
    if v.len() < 13 || v.len() > 32 || !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let d = digits_only(v, b" -")?;
    (13..=19).contains(&d.len()).then_some(d)
}

/// Known issuer prefixes and their lengths: Visa `4` (13, 16, 19), Mastercard `51`–`55` and
/// `2221`–`2720` (16), American Express `34`/`37` (15), Discover `6011`, `644`–`649`, `65`
/// (16–19).
fn known_issuer(d: &str) -> bool {
    let n = d.len();
    let prefix = |k: usize| d[..k].parse::<u32>().unwrap_or(0);
    if d.starts_with('4') {
        return matches!(n, 13 | 16 | 19);
    }
    let (p2, p3, p4) = (prefix(2), prefix(3), prefix(4));
    if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
        return n == 16;
    }
    if p2 == 34 || p2 == 37 {
        return n == 15;
    }
    if p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) {
        return (16..=19).contains(&n);
    }
    false
}

/// A payment card number: 13–19 digits (spaces or dashes allowed), a known issuer prefix with
/// its length, Luhn-valid, not all zeros.
pub fn is_card_number(value: &str) -> bool {
    card_digits(value).is_some_and(|d| !all_same(&d) && known_issuer(&d) && luhn_valid(&d))
}

/// Test card numbers published by payment providers (Stripe, Adyen, PayPal...): synthetic.
const TEST_CARDS: &[&str] = &[
    "4242424242424242",
    "4111111111111111",
    "4012888888881881",
    "4000056655665556",
    "5555555555554444",
    "5105105105105100",
    "5200828282828210",
    "2223003122003222",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "6011000990139424",
];

/// Is this a published test card number?
pub fn is_test_card_number(value: &str) -> bool {
    card_digits(value).is_some_and(|d| TEST_CARDS.contains(&d.as_str()))
}

// ---------------------------------------------------------------------------------------------
// Dates of birth

/// A calendar date written `YYYY-MM-DD` (optionally followed by a time after a space or `T`,
/// as PostgreSQL prints timestamps) or `DD/MM/YYYY`, as `(year, month, day)`.
pub fn parse_date(value: &str) -> Option<(i32, u32, u32)> {
    let v = trim(value).as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = v.get(r)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // At most four digits: no overflow.
        Some(s.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')))
    };
    let (y, m, d) = if v.len() >= 10
        && v[4] == b'-'
        && v[7] == b'-'
        && (v.len() == 10 || v[10] == b' ' || v[10] == b'T')
    {
        (num(0..4)?, num(5..7)?, num(8..10)?)
    } else if v.len() == 10 && v[2] == b'/' && v[5] == b'/' {
        (num(6..10)?, num(3..5)?, num(0..2)?)
    } else {
        return None;
    };
    let y = y as i32;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

/// A date of birth ([`parse_date`]) giving an age of 0 to 120 years in `reference_year` (the
/// caller passes the current year: the core reads no clock).
pub fn is_birth_date(value: &str, reference_year: i32) -> bool {
    parse_date(value).is_some_and(|(y, _, _)| (0..=120).contains(&(reference_year - y)))
}

// ---------------------------------------------------------------------------------------------
// Placeholders

/// Words that stand for "no value" (compared trimmed, lower-cased, accents folded, without
/// surrounding brackets).
const PLACEHOLDER_WORDS: &[&str] = &[
    "null",
    "nil",
    "none",
    "n/a",
    "na",
    "n.a.",
    "n.c.",
    "nc",
    "undefined",
    "unknown",
    "inconnu",
    "inconnue",
    "anonymized",
    "anonymised",
    "anonymous",
    "anonyme",
    "anonymise",
    "anonymisee",
    "redacted",
    "masked",
    "hidden",
    "removed",
    "deleted",
    "supprime",
    "tbd",
    "todo",
    "empty",
    "vide",
];

/// The first bytes of [`PLACEHOLDER_WORDS`] (all ASCII).
const PLACEHOLDER_FIRST_BYTES: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < PLACEHOLDER_WORDS.len() {
        t[PLACEHOLDER_WORDS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    t
};

/// The longest of [`PLACEHOLDER_WORDS`], in characters.
const MAX_PLACEHOLDER_CHARS: usize = 10;

/// Is `value` empty or a placeholder rather than data: blank, PostgreSQL COPY's NULL `\N`, one
/// punctuation character repeated (`-`, `***`, `...`), only `x`s (`xxx`), or a word such as
/// `null`, `n/a`, `anonymized`, `anonyme`, `redacted`, `[REDACTED]`?
pub fn is_placeholder(value: &str) -> bool {
    let v = trim(value);
    if v.is_empty() || v == "\\N" {
        return true;
    }
    if let (Some(&f), Some(&l)) = (v.as_bytes().first(), v.as_bytes().last()) {
        // Most values start and end with an ASCII letter or digit: then no rule but the word
        // list can match (`x` aside), the word is the value itself and its fold starts with
        // the lower case of that letter.
        if f.is_ascii_alphanumeric()
            && !matches!(f, b'x' | b'X')
            && l.is_ascii_alphanumeric()
            && !PLACEHOLDER_FIRST_BYTES[usize::from(f.to_ascii_lowercase())]
        {
            return false;
        }
    }
    if v.len() <= 64 {
        let mut chars = v.chars();
        let first = chars.next().unwrap_or(' ');
        if !first.is_alphanumeric() && v.chars().all(|c| c == first) {
            return true;
        }
        if v.chars().all(|c| c == 'x' || c == 'X') {
            return true;
        }
        // `fold` leaves brackets and whitespace alone and never makes one of them out of
        // another character, so the brackets and spaces can be trimmed before folding.
        let word = v
            .trim_start_matches(['[', '<', '(', '{'])
            .trim_end_matches([']', '>', ')', '}'])
            .trim();
        if word.is_ascii() {
            // The fold of ASCII text is its lower case: the same comparison without a copy.
            return word.len() <= MAX_PLACEHOLDER_CHARS
                && PLACEHOLDER_WORDS
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(word));
        }
        // Folding never shortens a word (one character or more per character), and every
        // placeholder word is short.
        if word.chars().count() > MAX_PLACEHOLDER_CHARS {
            return false;
        }
        let folded = fold(v);
        let word = folded
            .trim_start_matches(['[', '<', '(', '{'])
            .trim_end_matches([']', '>', ')', '}'])
            .trim();
        return PLACEHOLDER_WORDS.contains(&word);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        for ok in [
            "jean.dupont@gmail.com",
            "j+tag@sub.domain.fr",
            "a_b-c@x-y.co.uk",
            "JEAN@EXAMPLE.COM",
            " user@domain.io ",
            "x@xn--bcher-kva.com",
            "x@domain.xn--p1ai",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "@",
            "jean",
            "jean@",
            "@gmail.com",
            "jean@gmail",
            "jean@@gmail.com",
            "a@b@c.com",
            ".jean@gmail.com",
            "jean.@gmail.com",
            "je..an@gmail.com",
            "jean dupont@gmail.com",
            "jean@-gmail.com",
            "jean@gmail-.com",
            "jean@gmail.c",
            "jean@gmail.123",
            "jean@gmail..com",
            "jeän@gmail.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn reserved_emails() {
        for r in [
            "a@example.com",
            "a@EXAMPLE.ORG",
            "a@example.net",
            "a@mail.example.com",
            "a@foo.example",
            "a@shop.test",
            "a@x.invalid",
            "a@app.localhost",
            "a@localhost",
            "a@example.com.",
        ] {
            assert!(is_reserved_email(r), "{r}");
        }
        for n in [
            "a@gmail.com",
            "a@example.fr",
            "a@myexample.com",
            "a@testing.com",
            "a@test.com",
            "no-at-sign",
        ] {
            assert!(!is_reserved_email(n), "{n}");
        }
    }

    #[test]
    fn french_phones() {
        for ok in [
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "0612345678",
            "+33 6 12 34 56 78",
            "+33612345678",
            "0033 6 12 34 56 78",
            "0033612345678",
            "+33 (0)6 12 34 56 78",
            "01 42 68 53 00",
            "0262 12 34 56",
            "0612 345 678",
        ] {
            let p = parse_french_phone(ok);
            assert!(p.is_some(), "{ok}");
            assert_eq!(p.unwrap().country_code, 33);
        }
        for bad in [
            "0000000000",
            "0611111111",
            "0012345678",
            "061234567",
            "06123456789",
            "0.123456789",
            "06 12 34 56 7a",
            "06  12 34 56 78",
            "+33 0 12 34 56 78",
            "+44612345678",
            "6 12 34 56 78",
            "(0)612345678",
        ] {
            assert!(!is_french_phone(bad), "{bad}");
        }
    }

    #[test]
    fn e164_phones() {
        for ok in [
            "+33612345678",
            "+44 20 7946 0958",
            "+49 30 1234567",
            "+1 (212) 555-0123",
            "+12125550123",
            "+32 2 123 45 67",
            "+352 621 123 456",
            "+44 (0)20 7946 0958",
        ] {
            assert!(is_e164(ok), "{ok}");
        }
        for bad in [
            "+33012345678",
            "+1 (012) 555-0123",
            "+11234567890",
            "+0 612345678",
            "+999 12345678",
            "+1234",
            "+12345678901234567",
            "+44 0000 000000",
            "+44 20 7946 095a",
            "0612345678x",
            "+",
            "++33612345678",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
        assert_eq!(
            parse_e164("+352 621 123 456"),
            Some(Phone {
                country_code: 352,
                national: "621123456".to_string()
            })
        );
    }

    #[test]
    fn country_codes_are_sorted_and_prefix_free() {
        assert!(COUNTRY_CODES.windows(2).all(|w| w[0] < w[1]));
        for &a in COUNTRY_CODES {
            for &b in COUNTRY_CODES {
                if a != b {
                    let (sa, sb) = (a.to_string(), b.to_string());
                    assert!(!sb.starts_with(&sa), "{a} is a prefix of {b}");
                }
            }
        }
    }

    #[test]
    fn plausible_phones() {
        assert!(is_plausible_phone("(212) 555-0123"));
        assert!(is_plausible_phone("030 1234567"));
        assert!(is_plausible_phone("06 12 34 56 78"));
        assert!(!is_plausible_phone("123"));
        assert!(!is_plausible_phone("1111111"));
        assert!(!is_plausible_phone("call me"));
        assert!(!is_plausible_phone("\\N"));
    }

    #[test]
    fn ips() {
        for ok in [
            "192.168.1.10",
            "10.0.0.1",
            "172.16.5.4",
            "81.2.69.160",
            "2a01:e0a:1:2::3",
            "fe80::1",
            "::ffff:81.2.69.160",
            "81.2.69.160/32",
            "2a01:e0a::1/128",
        ] {
            assert!(is_ip_evidence(ok), "{ok}");
        }
        for not_host in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::",
            "::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "10.0.0.0/8",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.02.03.04",
            "description",
        ] {
            assert!(!is_ip(not_host), "{not_host}");
        }
        for doc in [
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.99",
            "2001:db8::1",
            "3fff::1",
        ] {
            assert!(is_ip(doc), "{doc}");
            assert!(!is_ip_evidence(doc), "{doc}");
        }
    }

    #[test]
    fn ibans() {
        for ok in EXAMPLE_IBANS {
            assert!(is_iban(ok), "{ok}");
            assert!(is_example_iban(ok), "{ok}");
        }
        assert!(is_iban("FR76 3000 6000 0112 3456 7890 189"));
        assert!(is_iban("fr76 3000 6000 0112 3456 7890 189"));
        assert!(is_example_iban("FR76 3000 6000 0112 3456 7890 189"));
        for bad in [
            "FR76 3000 6000 0112 3456 7890 188",
            "FR76 3000 6000 0112 3456 7890 18",
            "XX76 3000 6000 0112 3456 7890 189",
            "FR7630006000011234567890189X",
            "FR-76-3000",
            "",
        ] {
            assert!(!is_iban(bad), "{bad}");
        }
    }

    #[test]
    fn nirs() {
        // 1 85 05 78 006 084, key 97 - (1850578006084 mod 97).
        let body = "1850578006084";
        let key = nir_key(body).unwrap();
        let nir = format!("{body}{key:02}");
        assert!(is_nir(&nir), "{nir}");
        let spaced = format!("1 85 05 78 006 084 {key:02}");
        assert!(is_nir(&spaced));
        // Corsica.
        let corsica = "269072A123456";
        let k = nir_key(corsica).unwrap();
        let expected = 97 - ("2690719123456".parse::<u64>().unwrap() % 97) as u32;
        assert_eq!(k, expected);
        assert!(is_nir(&format!("{corsica}{k:02}")));
        let k = nir_key("269072B123456").unwrap();
        assert_eq!(
            k,
            97 - ("2690718123456".parse::<u64>().unwrap() % 97) as u32
        );
        // Wrong key, sex digit, month.
        let wrong = format!("{body}{:02}", (key % 97) + 1);
        assert!(!is_nir(&wrong));
        let b = "5850578006084";
        assert!(!is_nir(&format!("{b}{:02}", nir_key(b).unwrap())));
        let b = "1851378006084";
        assert!(!is_nir(&format!("{b}{:02}", nir_key(b).unwrap())));
        let b = "1854578006084";
        assert!(!is_nir(&format!("{b}{:02}", nir_key(b).unwrap())));
        assert!(!is_nir("269072C12345612"));
        assert!(!is_nir("185057800608"));
    }

    #[test]
    fn us_ssns() {
        assert!(is_us_ssn("123-45-6789"));
        assert!(is_us_ssn("123456789"));
        assert!(!is_us_ssn("000-45-6789"));
        assert!(!is_us_ssn("666-45-6789"));
        assert!(!is_us_ssn("912-45-6789"));
        assert!(!is_us_ssn("123-00-6789"));
        assert!(!is_us_ssn("123-45-0000"));
        assert!(!is_us_ssn("12-345-6789x"));
    }

    #[test]
    fn cards() {
        for ok in TEST_CARDS {
            assert!(is_card_number(ok), "{ok}");
            assert!(is_test_card_number(ok), "{ok}");
        }
        assert!(is_card_number("4970 1012 3456 7893"));
        assert!(!is_test_card_number("4970 1012 3456 7893"));
        assert!(is_card_number("4970-1012-3456-7893"));
        for bad in [
            "0000000000000000",
            "4970 1012 3456 7894",
            "1234567812345670",
            "4242",
            "42424242424242424242",
            "4242 4242 4242 424x",
            "",
        ] {
            assert!(!is_card_number(bad), "{bad}");
        }
        // Right Luhn but wrong length for the issuer: Amex is 15 digits.
        assert!(luhn_valid("3782822463100003"));
        assert!(!is_card_number("3782822463100003"));
    }

    #[test]
    fn birth_dates() {
        assert_eq!(parse_date("1985-03-12"), Some((1985, 3, 12)));
        assert_eq!(parse_date("12/03/1985"), Some((1985, 3, 12)));
        assert_eq!(parse_date("1985-03-12 00:00:00+01"), Some((1985, 3, 12)));
        assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("1985-13-01"), None);
        assert_eq!(parse_date("1985-04-31"), None);
        assert_eq!(parse_date("1985-3-12"), None);
        assert_eq!(parse_date("1985-03-12x"), None);
        assert!(is_birth_date("1985-03-12", 2025));
        assert!(is_birth_date("2025-01-01", 2025));
        assert!(!is_birth_date("2026-01-01", 2025));
        assert!(!is_birth_date("1900-01-01", 2025));
        assert!(!is_birth_date("0001-01-01", 2025));
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "  ",
            "\\N",
            "-",
            "--",
            "***",
            "...",
            "x",
            "XXX",
            "null",
            "NULL",
            "N/A",
            "n/a",
            "anonymized",
            "Anonymisé",
            "anonyme",
            "[REDACTED]",
            "<redacted>",
            "inconnu",
        ] {
            assert!(is_placeholder(p), "{p:?}");
        }
        for v in [
            "Jean",
            "12 rue de la Paix",
            "x1",
            "-1",
            "user_123@example.com",
            "né",
        ] {
            assert!(!is_placeholder(v), "{v:?}");
        }
    }

    // ---- property tests

    fn iban_with_check(country: &str, bban: &str) -> String {
        let probe = format!("{country}00{bban}");
        let check = 98 - iban_mod97(&probe);
        format!("{country}{check:02}{bban}")
    }

    fn with_luhn(body: &str) -> String {
        for d in 0..10 {
            let candidate = format!("{body}{d}");
            if luhn_valid(&candidate) {
                return candidate;
            }
        }
        unreachable!()
    }

    fn corrupt_digit(s: &str, pos: usize, delta: u8) -> String {
        let digit_positions: Vec<usize> = s
            .bytes()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_digit())
            .map(|(i, _)| i)
            .collect();
        let i = digit_positions[pos % digit_positions.len()];
        let mut bytes = s.as_bytes().to_vec();
        let d = bytes[i] - b'0';
        bytes[i] = b'0' + (d + delta) % 10;
        String::from_utf8(bytes).unwrap()
    }

    /// The validators as they were before they stopped allocating, kept as the oracle.
    mod reference {
        #[allow(unused_imports)]
        use super::super::PLACEHOLDER_WORDS;
        use super::super::{all_same, digits_only, fold, is_same_or_subdomain};

        #[derive(Debug, PartialEq, Eq)]
        pub struct Phone {
            pub country_code: u16,
            pub national: String,
        }

        pub fn is_country_code(code: u16) -> bool {
            super::super::is_country_code(code)
        }

        fn is_phone(value: &str) -> bool {
            parse_french_phone(value).is_some() || parse_e164(value).is_some()
        }

        pub fn is_local_part(local: &str) -> bool {
            const SPECIALS: &[u8] = b"!#$%&'*+/=?^_`{|}~-";
            !local.is_empty()
                && local.len() <= 64
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
                && local
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || SPECIALS.contains(&b))
        }

        pub fn is_domain(domain: &str) -> bool {
            if domain.len() > 253 {
                return false;
            }
            let labels: Vec<&str> = domain.split('.').collect();
            if labels.len() < 2 {
                return false;
            }
            let ldh = labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            let tld = labels[labels.len() - 1];
            ldh && ((tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
                || (tld.len() > 4 && tld[..4].eq_ignore_ascii_case("xn--")))
        }
        pub fn is_reserved_domain(domain: &str) -> bool {
            let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
            if ["example.com", "example.org", "example.net"]
                .iter()
                .any(|r| is_same_or_subdomain(&d, r))
            {
                return true;
            }
            let tld = d.rsplit('.').next().unwrap_or("");
            matches!(tld, "example" | "test" | "invalid" | "localhost")
        }
        pub fn french_nsn_ok(nsn: &str) -> bool {
            nsn.len() == 9
                && nsn.as_bytes()[0] != b'0'
                && nsn.bytes().all(|b| b.is_ascii_digit())
                && !all_same(&nsn[1..])
        }
        pub fn parse_french_phone(value: &str) -> Option<Phone> {
            let v = value.trim();
            if v.len() > 32 {
                return None;
            }
            let international = v.starts_with("+33") || v.starts_with("0033");
            let owned;
            let v = if international && v.contains("(0)") {
                owned = v.replacen("(0)", "", 1);
                owned.as_str()
            } else {
                v
            };
            let groups: Vec<&str> = v.split([' ', '.', '-']).collect();
            if groups.len() > 1 {
                for (i, g) in groups.iter().enumerate() {
                    let g = if i == 0 {
                        g.strip_prefix('+').unwrap_or(g)
                    } else {
                        g
                    };
                    if g.is_empty() || g.len() > 4 || !g.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                }
            }
            let rest = v.strip_prefix('+').unwrap_or(v);
            if rest.len() != v.len() && !international {
                return None;
            }
            let digits = digits_only(rest, b" .-")?;
            let nsn = if v.starts_with("+33") {
                digits.strip_prefix("33")?
            } else if international {
                digits.strip_prefix("0033")?
            } else {
                digits.strip_prefix('0')?
            };
            french_nsn_ok(nsn).then(|| Phone {
                country_code: 33,
                national: nsn.to_string(),
            })
        }
        pub fn parse_e164(value: &str) -> Option<Phone> {
            let v = value.trim();
            if v.len() > 32 {
                return None;
            }
            let rest = v.strip_prefix('+')?;
            // Country codes never start with 0.
            if !rest.starts_with(|c: char| c.is_ascii_digit() && c != '0') {
                return None;
            }
            let owned;
            let rest = if rest.contains("(0)") {
                owned = rest.replacen("(0)", "", 1);
                owned.as_str()
            } else {
                rest
            };
            let digits = digits_only(rest, b" .-()")?;
            if !(8..=15).contains(&digits.len()) {
                return None;
            }
            let (code, nsn) = (1..=3).find_map(|n| {
                let code: u16 = digits[..n].parse().ok()?;
                is_country_code(code).then(|| (code, &digits[n..]))
            })?;
            let ok = match code {
                33 => french_nsn_ok(nsn),
                1 => {
                    let b = nsn.as_bytes();
                    nsn.len() == 10 && b[0] >= b'2' && b[3] >= b'2'
                }
                _ => !nsn.is_empty(),
            };
            (ok && !all_same(nsn)).then(|| Phone {
                country_code: code,
                national: nsn.to_string(),
            })
        }
        pub fn is_plausible_phone(value: &str) -> bool {
            if is_phone(value) {
                return true;
            }
            let v = value.trim();
            if v.len() > 32 {
                return false;
            }
            let v = v.strip_prefix('+').unwrap_or(v);
            match digits_only(v, b" .-()/") {
                Some(d) => (7..=15).contains(&d.len()) && !all_same(&d),
                None => false,
            }
        }
        pub fn is_placeholder(value: &str) -> bool {
            let v = value.trim();
            if v.is_empty() || v == "\\N" {
                return true;
            }
            if v.len() <= 64 {
                let mut chars = v.chars();
                let first = chars.next().unwrap_or(' ');
                if !first.is_alphanumeric() && v.chars().all(|c| c == first) {
                    return true;
                }
                if v.chars().all(|c| c == 'x' || c == 'X') {
                    return true;
                }
                let folded = fold(v);
                let word = folded
                    .trim_start_matches(['[', '<', '(', '{'])
                    .trim_end_matches([']', '>', ')', '}'])
                    .trim();
                return PLACEHOLDER_WORDS.contains(&word);
            }
            false
        }
    }

    fn same_phone(new: Option<Phone>, old: Option<reference::Phone>) -> bool {
        match (new, old) {
            (None, None) => true,
            (Some(n), Some(o)) => n.country_code == o.country_code && n.national == o.national,
            _ => false,
        }
    }

    #[test]
    fn max_placeholder_chars_is_the_longest_word() {
        let longest = PLACEHOLDER_WORDS.iter().map(|w| w.chars().count()).max();
        assert_eq!(longest, Some(MAX_PLACEHOLDER_CHARS));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn byte_splits_are_str_splits(s in prop_oneof![
            any::<String>(),
            "[a-z@.é\u{2003} ]{0,12}",
        ]) {
            for c in [b'@', b'.'] {
                prop_assert_eq!(split_once_byte(&s, c), s.split_once(char::from(c)));
                prop_assert_eq!(rsplit_once_byte(&s, c), s.rsplit_once(char::from(c)));
            }
        }

        #[test]
        fn trim_is_str_trim(s in prop_oneof![
            any::<String>(),
            "[ \t\n\r\x0b\x0c\x1f\u{85}\u{a0}\u{2003}\u{3000}a@.é!~]{0,8}",
        ]) {
            prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn the_allocation_free_validators_agree_with_the_reference(
            s in prop_oneof![
                r"[ +]?(\+33|0033|0|\+1|\+44|\+)?[ .\-]?(\(0\))?[ .\-]?[0-9]{1,4}([ .\-()/]{1,2}[0-9]{1,4}){0,6} ?",
                r"[0-9+ .\-()/]{0,34}",
                r"[ \[<({]{0,2}(n/a|N/A|null|Null|NULL|xxx|---|anonyme|Anonymisée|redacted|inconnu|é|vide|x|-|\\N|ok)[\]>)} ]{0,2}",
                r"[a-z]{0,4}@[a-zA-Z0-9.\-]{0,14}\.?",
                r"(Null|NA|n\.a\.|Unknown|Inconnue|Supprimé|supprimée|Anonymisé|VIDE|Hidden|Todo|x|Xx|zed|0|9)[a-zé/. 0-9]{0,3}",
                r"[A-Za-z0-9é][A-Za-zé0-9 /.\-]{0,12}[A-Za-z0-9é]?",
                ".{0,40}",
            ]
        ) {
            prop_assert!(same_phone(parse_french_phone(&s), reference::parse_french_phone(&s)), "{}", s);
            prop_assert!(same_phone(parse_e164(&s), reference::parse_e164(&s)), "{}", s);
            prop_assert_eq!(is_plausible_phone(&s), reference::is_plausible_phone(&s), "{}", s);
            prop_assert_eq!(is_placeholder(&s), reference::is_placeholder(&s), "{}", s);
            let domain = s.rsplit_once('@').map_or(s.as_str(), |(_, d)| d);
            prop_assert_eq!(is_reserved_domain(domain), reference::is_reserved_domain(domain), "{}", s);
            prop_assert_eq!(is_domain(domain), reference::is_domain(domain), "{}", s);
            let local = s.split_once('@').map_or(s.as_str(), |(l, _)| l);
            prop_assert_eq!(is_local_part(local), reference::is_local_part(local), "{}", s);
        }

        #[test]
        fn e_mail_parts_agree_with_the_reference(
            s in r"[a-zA-Z0-9.\-_+!#~ é]{0,12}@?[a-zA-Z0-9.\-]{0,20}",
        ) {
            let local = s.split_once('@').map_or(s.as_str(), |(l, _)| l);
            prop_assert_eq!(is_local_part(local), reference::is_local_part(local), "{}", s);
            let domain = s.rsplit_once('@').map_or(s.as_str(), |(_, d)| d);
            prop_assert_eq!(is_domain(domain), reference::is_domain(domain), "{}", s);
        }
    }

    proptest! {
        #[test]
        fn validators_never_panic(s in ".{0,80}") {
            let _ = is_email(&s);
            let _ = is_reserved_email(&s);
            let _ = is_phone(&s);
            let _ = is_plausible_phone(&s);
            let _ = is_ip_evidence(&s);
            let _ = is_iban(&s);
            let _ = is_example_iban(&s);
            let _ = is_nir(&s);
            let _ = is_us_ssn(&s);
            let _ = is_card_number(&s);
            let _ = is_test_card_number(&s);
            let _ = is_birth_date(&s, 2025);
            let _ = is_placeholder(&s);
            let _ = luhn_valid(&s);
            if s.len() == 13 {
                let _ = nir_key(&s);
            }
        }

        #[test]
        fn validators_never_panic_on_digit_soup(s in "[0-9 +.()/A-Z-]{0,40}") {
            let _ = is_phone(&s);
            let _ = is_plausible_phone(&s);
            let _ = is_iban(&s);
            let _ = is_nir(&s);
            let _ = is_card_number(&s);
            let _ = is_us_ssn(&s);
            let _ = parse_date(&s);
        }

        #[test]
        fn generated_ibans_are_valid_and_corruption_is_caught(
            bban in "[0-9]{23}", pos in 0usize..27, delta in 1u8..10,
        ) {
            let iban = iban_with_check("FR", &bban);
            prop_assert!(is_iban(&iban), "{}", iban);
            let spaced: String = iban
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(" ");
            prop_assert!(is_iban(&spaced), "{}", spaced);
            let bad = corrupt_digit(&iban, pos, delta);
            prop_assert!(!is_iban(&bad), "{} accepted", bad);
        }

        #[test]
        fn generated_nirs_are_valid_and_corruption_is_caught(
            sex in prop::sample::select(vec!['1', '2']),
            year in 0u32..100, month in 1u32..13, dept in 1u32..96, rest in "[0-9]{6}",
            pos in 0usize..15, delta in 1u8..10,
        ) {
            let body = format!("{sex}{year:02}{month:02}{dept:02}{rest}");
            let nir = format!("{body}{:02}", nir_key(&body).unwrap());
            prop_assert!(is_nir(&nir), "{}", nir);
            let bad = corrupt_digit(&nir, pos, delta);
            prop_assert!(!is_nir(&bad), "{} accepted", bad);
        }

        #[test]
        fn generated_cards_are_valid_and_corruption_is_caught(
            body in "4[0-9]{14}", pos in 0usize..16, delta in 1u8..10,
        ) {
            let card = with_luhn(&body);
            prop_assert!(is_card_number(&card), "{}", card);
            let bad = corrupt_digit(&card, pos, delta);
            prop_assert!(!luhn_valid(&bad), "{} accepted", bad);
        }
    }
}
