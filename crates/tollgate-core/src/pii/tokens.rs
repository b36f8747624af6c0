//! Identifier tokenisation: column and table names become lower-case, accent-folded tokens, so
//! dictionaries match whole words (`filename` is not `name`, `zipped` is not `zip`).

/// Lower-cases `s` and folds the accents of Latin letters (`Prénom` → `prenom`, `œ` → `oe`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            push_folded(&mut out, l);
        }
    }
    out
}

fn push_folded(out: &mut String, c: char) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'œ' => return out.push_str("oe"),
        'æ' => return out.push_str("ae"),
        'ß' => return out.push_str("ss"),
        other => other,
    };
    out.push(folded);
}

/// Splits an identifier into tokens: boundaries are every character that is not a letter
/// (`_`, `-`, `.`, spaces, quotes, digits...) and camelCase changes (`lastLoginIP` →
/// `last`, `login`, `ip`; `IPAddress` → `ip`, `address`). Tokens are folded with [`fold`].
pub fn tokenize(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut tokens = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphabetic() {
            flush(&mut tokens, &mut current);
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || (prev.is_uppercase() && next_lower) {
                flush(&mut tokens, &mut current);
            }
        }
        for l in c.to_lowercase() {
            push_folded(&mut current, l);
        }
    }
    flush(&mut tokens, &mut current);
    tokens
}

fn flush(tokens: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        tokens.push(std::mem::take(current));
    }
}

/// Does column token `token` stand for dictionary token `entry`? Equal, or a plural of it
/// (`emails`, `adresses`, `addresses`).
pub(crate) fn token_matches(token: &str, entry: &str) -> bool {
    token == entry
        || token
            .strip_prefix(entry)
            .is_some_and(|rest| rest == "s" || rest == "es")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        tokenize(s)
    }

    #[test]
    fn splits_on_separators_digits_and_case() {
        assert_eq!(t("first_name"), ["first", "name"]);
        assert_eq!(t("first-name"), ["first", "name"]);
        assert_eq!(t("first.name"), ["first", "name"]);
        assert_eq!(t("first name"), ["first", "name"]);
        assert_eq!(t("address2"), ["address"]);
        assert_eq!(t("ipv4"), ["ipv"]);
        assert_eq!(t("ip_v4"), ["ip", "v"]);
        assert_eq!(t("firstName"), ["first", "name"]);
        assert_eq!(t("lastLoginIP"), ["last", "login", "ip"]);
        assert_eq!(t("IPAddress"), ["ip", "address"]);
        assert_eq!(t("eMail"), ["e", "mail"]);
        assert_eq!(t("PRENOM"), ["prenom"]);
        assert_eq!(t("\"public\".\"Adherent\""), ["public", "adherent"]);
        assert_eq!(t("__x__"), ["x"]);
        assert!(t("123").is_empty());
        assert!(t("").is_empty());
    }

    #[test]
    fn folds_accents() {
        assert_eq!(t("prénom"), ["prenom"]);
        assert_eq!(t("Prénom"), ["prenom"]);
        assert_eq!(t("DateDeNaissance"), ["date", "de", "naissance"]);
        assert_eq!(t("téléphone_portable"), ["telephone", "portable"]);
        assert_eq!(t("santé"), ["sante"]);
        assert_eq!(t("cœur"), ["coeur"]);
        assert_eq!(fold("ÉLÈVE"), "eleve");
    }

    #[test]
    fn whole_tokens_only() {
        assert_eq!(t("filename"), ["filename"]);
        assert_eq!(t("zipped"), ["zipped"]);
        assert_eq!(t("description"), ["description"]);
    }

    #[test]
    fn plural_matching() {
        assert!(token_matches("email", "email"));
        assert!(token_matches("emails", "email"));
        assert!(token_matches("addresses", "address"));
        assert!(token_matches("adresses", "adresse"));
        assert!(!token_matches("zipped", "zip"));
        assert!(!token_matches("mail", "email"));
        assert!(!token_matches("emailx", "email"));
    }
}
