//! Languages of the interface. Chinese (zh-CN) is the default; English is the second language.
//!
//! Strings are written as pairs at the place they are used (`lang.pick("户主", "Head")`) so that a
//! reader sees both texts together and no key table can fall out of step with the screens.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Chooses the text of this language from a (Chinese, English) pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The language named by a tag such as `zh`, `zh-CN`, `en`, `en_US.UTF-8`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A value with a human label in each language (coded enumerations, statuses).
pub trait Label {
    fn label(&self, lang: Lang) -> &'static str;
}

/// A value that can be explained to a person in each language (errors, findings, reasons).
pub trait Localize {
    fn localize(&self, lang: Lang) -> String;
}

impl Label for crate::model::HouseholdStatus {
    fn label(&self, lang: Lang) -> &'static str {
        use crate::model::HouseholdStatus::*;
        match self {
            Unassessed => lang.pick("待识别", "Not yet assessed"),
            NotRegistered => lang.pick("非贫困户", "Not registered"),
            Registered => lang.pick("建档立卡贫困户", "Registered poor"),
            Exited { .. } => lang.pick("已脱贫", "Exited"),
            Monitored { kind } => kind.label(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse() {
        assert_eq!(Lang::from_tag("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::En.pick("户主", "Head"), "Head");
    }
}
