//! The policy files compiled into tollgate, without their comment lines.
//!
//! `policies/*.toml` explain every key in comments, for the people who read them; the parser
//! only needs the keys. The comment lines are removed at compile time (a `const fn`, no build
//! script): a line whose first non-blank character is `#` becomes empty, and its newline stays,
//! so every key keeps its line and column and messages about the embedded files point into the
//! real files. This keeps about 13 KB of prose out of every build (the WASM module is measured
//! against a size budget). The files have no multi-line strings, where a `#` line would be
//! text (a test checks).

/// Length of `text` once its comment lines are emptied.
pub const fn stripped_len(text: &str) -> usize {
    strip_into(text, &mut [])
}

/// `text` with its comment lines emptied, as bytes (`N` is [`stripped_len`]).
pub const fn strip<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let written = strip_into(text, &mut out);
    assert!(written == N, "strip: N must be stripped_len(text)");
    out
}

/// Writes `text` with its comment lines emptied into `out` (nothing when `out` is empty, to
/// count) and returns the length.
const fn strip_into(text: &str, out: &mut [u8]) -> usize {
    let b = text.as_bytes();
    let write = !out.is_empty();
    let mut o = 0;
    let mut i = 0;
    while i < b.len() {
        let (start, end, comment) = line(b, i);
        if !comment {
            let mut k = start;
            while k < end {
                if write {
                    out[o] = b[k];
                }
                o += 1;
                k += 1;
            }
        }
        if end < b.len() {
            if write {
                out[o] = b'\n';
            }
            o += 1;
        }
        i = end + 1;
    }
    o
}

/// The line starting at `i`: its end (the `\n` or the end of text) and whether it is a comment.
const fn line(b: &[u8], i: usize) -> (usize, usize, bool) {
    let mut end = i;
    while end < b.len() && b[end] != b'\n' {
        end += 1;
    }
    let mut k = i;
    while k < end && (b[k] == b' ' || b[k] == b'\t') {
        k += 1;
    }
    (i, end, k < end && b[k] == b'#')
}

/// Bytes made by [`strip`] from a `&str` are UTF-8 (whole lines are kept or dropped).
pub const fn as_str(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("embedded policy: not UTF-8 after stripping comments"),
    }
}

/// Declares `$name: &str`, the text of `$text` without its comment lines.
macro_rules! stripped {
    ($vis:vis $name:ident = $text:expr) => {
        $vis const $name: &str = {
            const BYTES: [u8; $crate::embedded::stripped_len($text)] =
                $crate::embedded::strip($text);
            $crate::embedded::as_str(&BYTES)
        };
    };
}
pub(crate) use stripped;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The same thing, written plainly.
    fn oracle(text: &str) -> String {
        text.split('\n')
            .map(|l| {
                if l.trim_start_matches([' ', '\t']).starts_with('#') {
                    ""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    stripped!(SAMPLE = "# head\nkey = 1 # tail\n  # indented\n\n[t]\n\t#tab\nx = \"#\"");

    #[test]
    fn comment_lines_become_empty_and_lines_keep_their_numbers() {
        assert_eq!(SAMPLE, "\nkey = 1 # tail\n\n\n[t]\n\nx = \"#\"");
        assert_eq!(SAMPLE.lines().count(), 7);
    }

    #[test]
    fn the_embedded_policies_lose_only_comment_lines() {
        for (full, stripped) in [
            (
                crate::policy::DEFAULT_POLICY_TOML,
                crate::policy::DEFAULT_POLICY_PARSED,
            ),
            (crate::pii::PII_POLICY_TOML, crate::pii::PII_POLICY_PARSED),
        ] {
            assert_eq!(stripped, oracle(full));
            assert!(
                !full.contains("\"\"\"") && !full.contains("'''"),
                "no multi-line strings"
            );
            assert!(
                stripped.len() < full.len() * 3 / 4,
                "most of the files are comments"
            );
        }
    }

    proptest! {
        #[test]
        fn strip_matches_the_plain_version(text in "[# \t\na-z=\"é]{0,80}") {
            let len = stripped_len(&text);
            let mut out = vec![0u8; len];
            if len > 0 {
                prop_assert_eq!(strip_into(&text, &mut out), len);
            }
            prop_assert_eq!(String::from_utf8(out).unwrap(), oracle(&text));
        }
    }
}
