//! Interface preferences (the language, whether ID numbers show in full) kept as a small JSON
//! file in the data directory, beside the database, so that the command line speaks the language
//! the window was last used in.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::paths::{data_dir, prefs_file};
use crate::i18n::Lang;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub lang: Lang,
    /// Show ID numbers and bank accounts in full instead of masked.
    pub show_sensitive: bool,
    /// The team member last chosen as working on this installation (操作人).
    pub actor: Option<String>,
    /// The county staff member last named as working on a county database on this
    /// installation: county clerks are on no village team, so they type their name.
    pub county_actor: Option<String>,
}

impl Prefs {
    /// Reads the preferences; a missing or unreadable file gives the defaults (Chinese).
    pub fn load(data_dir: &Path) -> Prefs {
        std::fs::read_to_string(prefs_file(data_dir))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the preferences through a temporary file and a rename.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let file = prefs_file(data_dir);
        let tmp = file.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_string_pretty(self).expect("prefs serialise"),
        )?;
        std::fs::rename(tmp, file)
    }
}

/// The language of a run of the command line: `flag` (`--lang`), else the window's saved
/// preference, else `LANG`, else Chinese.
pub fn choose_lang(flag: Option<&str>) -> Lang {
    if let Some(lang) = flag.and_then(Lang::from_tag) {
        return lang;
    }
    if let Some(dir) = data_dir()
        && prefs_file(&dir).exists()
    {
        return Prefs::load(&dir).lang;
    }
    std::env::var("LANG")
        .ok()
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}
