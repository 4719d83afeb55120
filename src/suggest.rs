//! "Did you mean" suggestions for misspelt field names and enum values.
//!
//! [`suggest`] picks the candidate closest to a word by case-insensitive
//! Damerau-Levenshtein distance (optimal string alignment: insertions,
//! deletions, substitutions and swaps of two adjacent characters each cost 1).
//! A candidate that differs only in letter case has distance 0 and so always
//! wins (`maxVcpus` -> `maxvCpus`). A candidate is only offered when its
//! distance is at most `max(2, len / 3)` (len = characters in the word) and
//! smaller than the word's length, so unrelated short words get no suggestion.
//! Ties go to the candidate that comes first in the given order (an exact
//! case-sensitive match beats a case-insensitive one).
//!
//! `osa_distance` is the crate's one edit-distance function (`edit_distance`, over strings,
//! is what its tests call); [`quote`] puts a name or value a user wrote into a message,
//! safely. Crate-internal: the scenario reader, the trace readers, the importers, `--set`
//! and `--columns` all suggest with it.

/// Returns the candidate closest to `word`, or `None` when no candidate is close enough.
///
/// Ranking: case-insensitive edit distance (Damerau-Levenshtein, optimal string
/// alignment), so a case-only difference ranks first; ties keep the first candidate
/// in the given order. A candidate is returned only when its distance is at most
/// `max(2, chars(word) / 3)` and below the word's length.
/// For example `suggest("maxVcpus", ["minvCpus", "maxvCpus"])` is `Some("maxvCpus")`
/// and `suggest("zzz", ["maxvCpus"])` is `None`.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    let len = word.chars().count();
    let threshold = (len / 3).max(2);
    // (distance, case differs, candidate); earlier candidates win ties.
    let mut best: Option<(usize, bool, &'a str)> = None;
    for cand in candidates {
        let cand_lower: Vec<char> = cand.chars().flat_map(char::to_lowercase).collect();
        if cand_lower.len().abs_diff(lower.len()) > threshold {
            continue; // the distance is at least the length difference
        }
        let dist = osa_distance(&lower, &cand_lower);
        if dist > threshold || dist >= len {
            continue;
        }
        let key = (dist, cand != word);
        let better = match best {
            None => true,
            Some((d, c, _)) => key < (d, c),
        };
        if better {
            best = Some((key.0, key.1, cand));
        }
    }
    best.map(|(_, _, cand)| cand)
}

/// Edit distance between two strings, compared as written (callers lower-case first when
/// case should not count): optimal string alignment (Damerau-Levenshtein where no substring is
/// edited twice), counting insertions, deletions, substitutions and swaps of two adjacent
/// characters (Unicode scalar values) as 1 each. `edit_distance("kitten", "sitting")` is 3,
/// `edit_distance("ab", "ba")` is 1.
#[cfg(test)]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    osa_distance(&a, &b)
}

/// Optimal string alignment distance (Damerau-Levenshtein with no substring
/// edited twice) between two character slices.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let n = b.len();
    // Three rolling rows: i-2, i-1, i.
    let mut prev2: Vec<usize> = vec![0; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur: Vec<usize> = vec![0; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n]
}

/// Longest text [`quote`] shows; the rest is replaced by a count of what was left out.
pub const QUOTE_MAX_CHARS: usize = 100;

/// A name or value written by a user, ready for a message: between backticks, with control
/// characters (line breaks, tabs, ANSI escapes, ...) and invisible formatting characters
/// (bidirectional overrides, zero-width characters, byte order marks) escaped as Rust escapes
/// do (`\n`, `\u{1b}`), so that a message is always one line of visible text. Text longer
/// than [`QUOTE_MAX_CHARS`] characters is cut there, followed by `... (N more characters)`.
///
/// `quote("a\nb")` is `` `a\nb` `` (a backslash and an `n`, not a line break).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * QUOTE_MAX_CHARS) + 2);
    out.push('`');
    let mut shown = 0usize;
    let mut chars = text.chars();
    for c in chars.by_ref() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else if is_invisible_format(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
        shown += 1;
        if shown == QUOTE_MAX_CHARS {
            break;
        }
    }
    out.push('`');
    let rest = chars.count();
    if rest > 0 {
        out.push_str(&format!("... ({rest} more characters)"));
    }
    out
}

/// Characters that change how text around them is shown without being visible themselves.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_distance(&a, &b)
    }

    #[test]
    fn quote_escapes_control_and_invisible_characters() {
        assert_eq!(quote("plain-name"), "`plain-name`");
        assert_eq!(quote(""), "``");
        assert_eq!(quote("a\nb\tc\r"), "`a\\nb\\tc\\r`");
        assert_eq!(quote("\u{1b}[31mred"), "`\\u{1b}[31mred`");
        assert_eq!(quote("x\u{202e}y\u{feff}"), "`x\\u{202e}y\\u{feff}`");
        assert_eq!(quote("naïve ü"), "`naïve ü`");
        let long = "x".repeat(QUOTE_MAX_CHARS + 7);
        assert_eq!(
            quote(&long),
            format!("`{}`... (7 more characters)", "x".repeat(QUOTE_MAX_CHARS))
        );
        assert_eq!(
            quote(&"y".repeat(QUOTE_MAX_CHARS)),
            format!("`{}`", "y".repeat(QUOTE_MAX_CHARS))
        );
    }

    #[test]
    fn public_edit_distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("Name", "name"), 1, "case counts as written");
    }

    #[test]
    fn distances() {
        assert_eq!(d("", ""), 0);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("ab", "ba"), 1);
        assert_eq!(d("computeEnvironmnt", "computeEnvironment"), 1);
        assert_eq!(d("ca", "abc"), 3); // OSA, not full Damerau-Levenshtein
    }

    #[test]
    fn case_insensitive_match_ranks_first() {
        // "maxvCpu" is one edit away from "maxVcpus" case-insensitively, but the
        // case-only match wins.
        assert_eq!(
            suggest("maxVcpus", ["maxvCpu", "maxvCpus", "minvCpus"]),
            Some("maxvCpus")
        );
        assert_eq!(suggest("fargate", ["FARGATE_SPOT", "FARGATE"]), Some("FARGATE"));
    }

    #[test]
    fn exact_beats_case_insensitive() {
        assert_eq!(suggest("Name", ["name", "Name"]), Some("Name"));
    }

    #[test]
    fn closest_by_edit_distance() {
        let cands = ["computeEnvironment", "order"];
        assert_eq!(suggest("computeEnvironmnt", cands), Some("computeEnvironment"));
        assert_eq!(suggest("oder", cands), Some("order"));
        assert_eq!(
            suggest("FARGATEE", ["EC2", "SPOT", "FARGATE", "FARGATE_SPOT"]),
            Some("FARGATE")
        );
        // Transposition counts as one edit.
        assert_eq!(suggest("jobQeueu", ["jobQueue", "jobName"]), Some("jobQueue"));
    }

    #[test]
    fn threshold() {
        // len 8 -> threshold 2
        assert_eq!(suggest("priorixx", ["priority"]), Some("priority"));
        assert_eq!(suggest("prioxxxx", ["priority"]), None);
        // len 18 -> threshold 6
        assert_eq!(
            suggest("computeEnvxxxxxent", ["computeEnvironment"]),
            Some("computeEnvironment")
        );
        // Short words: distance must stay below the word length.
        assert_eq!(suggest("xy", ["at"]), None);
        assert_eq!(suggest("a", ["at"]), None);
        assert_eq!(suggest("ta", ["at"]), Some("at"));
        assert_eq!(suggest("", ["at"]), None);
    }

    #[test]
    fn tie_break_is_first_in_order() {
        assert_eq!(suggest("cat", ["bat", "hat"]), Some("bat"));
        assert_eq!(suggest("cat", ["hat", "bat"]), Some("hat"));
    }

    #[test]
    fn no_candidates() {
        assert_eq!(suggest("anything", std::iter::empty()), None);
    }

    #[test]
    fn unicode_does_not_panic() {
        assert_eq!(suggest("näme", ["name"]), Some("name"));
        assert_eq!(suggest("İ", ["i"]), None);
        let long = "x".repeat(10_000);
        assert_eq!(suggest(&long, ["name", "jobQueue"]), None);
    }
}
