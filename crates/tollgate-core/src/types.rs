//! PostgreSQL type knowledge: normalising type names, judging type changes, judging defaults.

use crate::ops::DefaultKind;

/// A type name reduced to a canonical base and its modifiers: `character varying(20)` →
/// `varchar` + `[20]`, `int4` → `integer`, `timestamp with time zone` → `timestamptz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgType {
    pub base: String,
    pub modifiers: Vec<i64>,
    pub array: bool,
}

impl PgType {
    pub fn parse(text: &str) -> PgType {
        let lower = text.trim().to_lowercase();
        let mut s = lower.as_str();
        let mut array = false;
        while let Some(rest) = s.strip_suffix("[]") {
            array = true;
            s = rest.trim_end();
        }
        if let Some(rest) = s.strip_suffix(" array") {
            array = true;
            s = rest.trim_end();
        }
        // Split modifiers out: `numeric(10, 2)`, `timestamp(3) with time zone`.
        let (mut head, mut modifiers, tail) = match (s.find('('), s.find(')')) {
            (Some(open), Some(close)) if close > open => {
                let mods = s[open + 1..close]
                    .split(',')
                    .filter_map(|m| m.trim().parse::<i64>().ok())
                    .collect::<Vec<_>>();
                (
                    s[..open].trim().to_string(),
                    mods,
                    s[close + 1..].trim().to_string(),
                )
            }
            _ => (s.to_string(), vec![], String::new()),
        };
        if !tail.is_empty() {
            head = format!("{head} {tail}");
        }
        let head = head
            .trim_start_matches("pg_catalog.")
            .trim_start_matches("public.");
        let head = head.split_whitespace().collect::<Vec<_>>().join(" ");
        let base = match head.as_str() {
            "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
            "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
            "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
            "varchar" | "character varying" => "varchar",
            "char" | "character" | "bpchar" => "char",
            "bool" | "boolean" => "boolean",
            "float8" | "double precision" | "float" => "double precision",
            "float4" | "real" => "real",
            "decimal" | "numeric" => "numeric",
            "timestamp" | "timestamp without time zone" => "timestamp",
            "timestamptz" | "timestamp with time zone" => "timestamptz",
            "time" | "time without time zone" => "time",
            "timetz" | "time with time zone" => "timetz",
            "varbit" | "bit varying" => "varbit",
            other => other,
        }
        .to_string();
        // `char` without a length is char(1).
        if base == "char" && modifiers.is_empty() {
            modifiers.push(1);
        }
        PgType {
            base,
            modifiers,
            array,
        }
    }

    fn length(&self) -> Option<i64> {
        self.modifiers.first().copied()
    }
}

pub fn is_serial(type_text: &str) -> bool {
    matches!(
        type_text.trim().to_lowercase().as_str(),
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
    )
}

/// What changing a column from one type to another does to the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChange {
    /// Same type: the statement is a no-op.
    Same,
    /// Binary-coercible: catalog-only, no scan, no rewrite (`varchar(n)` → `text`, widening).
    Free,
    /// Keeps every value but rewrites the table (and its indexes) under ACCESS EXCLUSIVE.
    Rewrite,
    /// Can truncate values or fail on existing rows.
    Lossy(String),
    /// The previous type is unknown.
    Unknown,
}

fn int_rank(base: &str) -> Option<u8> {
    match base {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        _ => None,
    }
}

fn is_texty(base: &str) -> bool {
    matches!(base, "text" | "varchar" | "char" | "citext" | "name")
}

/// Judges `old` → `new`.
pub fn type_change(old: Option<&str>, new: &str, pg_version: u32) -> TypeChange {
    let Some(old) = old else {
        return TypeChange::Unknown;
    };
    let (o, n) = (PgType::parse(old), PgType::parse(new));
    if o == n {
        return TypeChange::Same;
    }
    if o.array != n.array {
        return TypeChange::Lossy(format!("`{old}` and `{new}` differ in array-ness"));
    }
    let (ob, nb) = (o.base.as_str(), n.base.as_str());
    match (ob, nb) {
        ("varchar", "varchar") => match (o.length(), n.length()) {
            (_, None) => TypeChange::Free,
            (Some(a), Some(b)) if b >= a => TypeChange::Free,
            (None, Some(b)) => {
                TypeChange::Lossy(format!("unbounded `varchar` narrowed to {b} characters"))
            }
            (Some(a), Some(b)) => {
                TypeChange::Lossy(format!("`varchar({a})` narrowed to `varchar({b})`"))
            }
        },
        ("varchar", "text") | ("char", "text") | ("char", "varchar")
            if nb == "text" || n.length().is_none() =>
        {
            if ob == "char" {
                // char(n) → text strips the padding: a rewrite, not a loss.
                TypeChange::Rewrite
            } else {
                TypeChange::Free
            }
        }
        ("text", "varchar") => match n.length() {
            None => TypeChange::Free,
            Some(b) => TypeChange::Lossy(format!("`text` narrowed to `varchar({b})`")),
        },
        ("varchar", "char") | ("text", "char") => {
            TypeChange::Lossy(format!("`{old}` narrowed to fixed-length `{new}`"))
        }
        ("char", "char") => match (o.length(), n.length()) {
            (Some(a), Some(b)) if b >= a => TypeChange::Rewrite,
            _ => TypeChange::Lossy(format!("`{old}` narrowed to `{new}`")),
        },
        ("numeric", "numeric") => match (o.modifiers.as_slice(), n.modifiers.as_slice()) {
            (_, []) => TypeChange::Free,
            ([p1], [p2]) if p2 >= p1 => TypeChange::Free,
            ([p1, s1], [p2, s2]) if s1 == s2 && p2 >= p1 => TypeChange::Free,
            ([p1, s1], [p2, s2]) if s2 >= s1 && p2 - s2 >= p1 - s1 => TypeChange::Rewrite,
            _ => TypeChange::Lossy(format!(
                "`{old}` narrowed to `{new}`: values may be rounded or overflow"
            )),
        },
        ("varbit", "varbit") => match (o.length(), n.length()) {
            (_, None) => TypeChange::Free,
            (Some(a), Some(b)) if b >= a => TypeChange::Free,
            _ => TypeChange::Lossy(format!("`{old}` narrowed to `{new}`")),
        },
        ("timestamp", "timestamptz") | ("timestamptz", "timestamp") => {
            // PostgreSQL 12+ skips the rewrite when the session time zone is UTC, but a migration
            // cannot count on the time zone of whoever runs it.
            let _ = pg_version;
            TypeChange::Rewrite
        }
        ("timestamp", "timestamp")
        | ("timestamptz", "timestamptz")
        | ("time", "time")
        | ("interval", "interval") => match (o.length(), n.length()) {
            (_, None) => TypeChange::Free,
            (Some(a), Some(b)) if b >= a => TypeChange::Free,
            _ => TypeChange::Lossy(format!("`{old}` → `{new}` rounds away fractional seconds")),
        },
        ("json", "jsonb") => TypeChange::Rewrite,
        ("jsonb", "json") => TypeChange::Rewrite,
        ("cidr", "inet") => TypeChange::Free,
        ("xml", "text") => TypeChange::Free,
        _ => {
            if let (Some(a), Some(b)) = (int_rank(ob), int_rank(nb)) {
                return if b > a {
                    TypeChange::Rewrite
                } else {
                    TypeChange::Lossy(format!("`{old}` narrowed to `{new}`: larger values fail"))
                };
            }
            if int_rank(ob).is_some() && matches!(nb, "numeric" | "double precision" | "real") {
                return if nb == "real" && ob != "smallint" {
                    TypeChange::Lossy(format!("`{old}` → `real` loses precision above 2^24"))
                } else if nb == "numeric" && !n.modifiers.is_empty() {
                    TypeChange::Lossy(format!("`{old}` → `{new}` can overflow the precision"))
                } else {
                    TypeChange::Rewrite
                };
            }
            if ob == "real" && nb == "double precision" {
                return TypeChange::Rewrite;
            }
            if is_texty(nb) && !is_texty(ob) {
                // Anything converts to text without loss; a bounded varchar may truncate.
                return match (nb, n.length()) {
                    ("varchar" | "char", Some(_)) => {
                        TypeChange::Lossy(format!("`{old}` cast to `{new}` may not fit"))
                    }
                    _ => TypeChange::Rewrite,
                };
            }
            if is_texty(ob) {
                return TypeChange::Lossy(format!(
                    "`{old}` → `{new}` fails on the first row that does not convert"
                ));
            }
            TypeChange::Lossy(format!(
                "`{old}` → `{new}` may fail on existing rows or change values"
            ))
        }
    }
}

/// Whether a `DEFAULT` expression is a constant (stored in the catalog since PostgreSQL 11, no
/// rewrite) or volatile (evaluated per row: full rewrite).
pub fn default_volatility(expr: &str) -> DefaultKind {
    let e = expr.trim().to_lowercase();
    if e.is_empty() {
        return DefaultKind::Unknown;
    }
    const VOLATILE: &[&str] = &[
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "random",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "txid_current",
        "gen_random_bytes",
        "random_normal",
        "setseed",
    ];
    // Stable and immutable functions are evaluated once for ALTER TABLE … ADD COLUMN.
    const STABLE: &[&str] = &[
        "now",
        "current_timestamp",
        "current_date",
        "current_time",
        "localtimestamp",
        "localtime",
        "transaction_timestamp",
        "statement_timestamp",
        "current_user",
        "session_user",
        "lower",
        "upper",
        "coalesce",
        "to_jsonb",
        "to_json",
        "jsonb_build_object",
        "json_build_object",
        "jsonb_build_array",
        "json_build_array",
        "array",
        "make_interval",
        "timezone",
        "concat",
        "format",
        "to_timestamp",
        "to_date",
        "nullif",
        "greatest",
        "least",
        "cast",
        "interval",
        "date_trunc",
        "current_setting",
    ];
    let mut i = 0;
    let bytes = e.as_bytes();
    let mut saw_unknown_call = false;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            in_string = !in_string;
            i += 1;
            continue;
        }
        if in_string || !(c.is_ascii_alphabetic() || c == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
        {
            i += 1;
        }
        let word = e[start..i].rsplit('.').next().unwrap_or("");
        let mut j = i;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let is_call = j < bytes.len() && bytes[j] == b'(';
        if VOLATILE.contains(&word) {
            return DefaultKind::Volatile;
        }
        if is_call && !STABLE.contains(&word) && !is_type_name(word) {
            saw_unknown_call = true;
        }
    }
    if saw_unknown_call {
        DefaultKind::Unknown
    } else {
        DefaultKind::Constant
    }
}

fn is_type_name(word: &str) -> bool {
    matches!(
        word,
        "varchar"
            | "numeric"
            | "decimal"
            | "char"
            | "character"
            | "timestamp"
            | "timestamptz"
            | "time"
            | "bit"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aliases() {
        assert_eq!(
            PgType::parse("character varying(20)"),
            PgType::parse("VARCHAR(20)")
        );
        assert_eq!(PgType::parse("int4").base, "integer");
        assert_eq!(
            PgType::parse("timestamp(3) with time zone").base,
            "timestamptz"
        );
        assert!(PgType::parse("text[]").array);
    }

    #[test]
    fn judges_type_changes() {
        use TypeChange::*;
        assert_eq!(type_change(Some("varchar(50)"), "text", 15), Free);
        assert_eq!(type_change(Some("varchar(100)"), "varchar(255)", 15), Free);
        assert!(matches!(
            type_change(Some("varchar(255)"), "varchar(100)", 15),
            Lossy(_)
        ));
        assert_eq!(type_change(Some("integer"), "bigint", 15), Rewrite);
        assert!(matches!(type_change(Some("bigint"), "int", 15), Lossy(_)));
        assert!(matches!(type_change(Some("text"), "integer", 15), Lossy(_)));
        assert!(matches!(
            type_change(Some("text"), "varchar(20)", 15),
            Lossy(_)
        ));
        assert_eq!(type_change(Some("int"), "integer", 15), Same);
        assert_eq!(
            type_change(Some("numeric(10,2)"), "numeric(12,2)", 15),
            Free
        );
        assert_eq!(type_change(Some("integer"), "text", 15), Rewrite);
        assert_eq!(type_change(None, "text", 15), Unknown);
        assert_eq!(type_change(Some("json"), "jsonb", 15), Rewrite);
    }

    #[test]
    fn judges_defaults() {
        assert_eq!(default_volatility("0"), DefaultKind::Constant);
        assert_eq!(default_volatility("'active'::text"), DefaultKind::Constant);
        assert_eq!(default_volatility("now()"), DefaultKind::Constant);
        assert_eq!(
            default_volatility("CURRENT_TIMESTAMP"),
            DefaultKind::Constant
        );
        assert_eq!(default_volatility("'{}'::jsonb"), DefaultKind::Constant);
        assert_eq!(
            default_volatility("gen_random_uuid()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_volatility("public.uuid_generate_v4()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_volatility("clock_timestamp()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_volatility("nextval('s'::regclass)"),
            DefaultKind::Volatile
        );
        assert_eq!(default_volatility("my_func()"), DefaultKind::Unknown);
        assert_eq!(default_volatility("'random()'"), DefaultKind::Constant);
    }
}
