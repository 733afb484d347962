//! Which helper of the register a helper name typed as free text means (the old 帮扶责任人 field
//! of a household, a spreadsheet cell, an older app's bundle). The register is the one truth; a
//! name becomes an assignment only when it names exactly one helper, so a guess never assigns a
//! household to the wrong person.

use uuid::Uuid;

/// What a free-text helper name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelperMatch {
    /// Nothing was written (empty or only spaces): no helper, nothing to keep.
    Blank,
    /// Exactly one helper of the register has this name.
    Helper(Uuid),
    /// No helper of the register has this name: keep the text as a note for the team.
    Unmatched,
    /// Several helpers share this name: keep the text, the team chooses.
    Ambiguous,
}

/// Matches `name` against the register's `(id, name)` pairs: the same name once both are
/// trimmed, nothing looser (a unit written after the name, or a different character, is not a
/// match).
pub fn match_helper<'a>(
    name: &str,
    register: impl IntoIterator<Item = (Uuid, &'a str)>,
) -> HelperMatch {
    let name = name.trim();
    if name.is_empty() {
        return HelperMatch::Blank;
    }
    let mut found = None;
    for (id, candidate) in register {
        if candidate.trim() != name {
            continue;
        }
        match found {
            None => found = Some(id),
            Some(first) if first == id => {}
            Some(_) => return HelperMatch::Ambiguous,
        }
    }
    found.map_or(HelperMatch::Unmatched, HelperMatch::Helper)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register() -> Vec<(Uuid, &'static str)> {
        vec![
            (Uuid::from_u128(1), "李明"),
            (Uuid::from_u128(2), " 赵志刚 "),
            (Uuid::from_u128(3), "王芳"),
            (Uuid::from_u128(4), "王芳"),
        ]
    }

    #[test]
    fn exact_name_after_trimming_is_the_helper() {
        assert_eq!(
            match_helper("李明", register()),
            HelperMatch::Helper(Uuid::from_u128(1))
        );
        assert_eq!(
            match_helper("  赵志刚\t", register()),
            HelperMatch::Helper(Uuid::from_u128(2))
        );
    }

    #[test]
    fn anything_looser_is_unmatched() {
        for name in ["李", "李明明", "赵志刚（县农业农村局）", "Li Ming", "张华"] {
            assert_eq!(
                match_helper(name, register()),
                HelperMatch::Unmatched,
                "{name}"
            );
        }
        assert_eq!(match_helper("李明", Vec::new()), HelperMatch::Unmatched);
    }

    #[test]
    fn blank_is_no_helper_and_a_shared_name_is_ambiguous() {
        assert_eq!(match_helper("", register()), HelperMatch::Blank);
        assert_eq!(match_helper("  ", register()), HelperMatch::Blank);
        assert_eq!(match_helper("王芳", register()), HelperMatch::Ambiguous);
    }
}
