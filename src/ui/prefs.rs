//! Interface preferences (the language) kept as a small JSON file in the data directory, beside
//! the database, so that the CLI reads the same language the window was last used in.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiPrefs {
    pub lang: Lang,
    /// Show ID numbers and bank accounts in full instead of masked.
    pub show_sensitive: bool,
}

fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("ui-prefs.json")
}

impl UiPrefs {
    /// Reads the preferences; a missing or unreadable file gives the defaults (Chinese).
    pub fn load(data_dir: &Path) -> UiPrefs {
        std::fs::read_to_string(file(data_dir))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the preferences (best effort: a read-only data directory must not stop the app).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let tmp = file(data_dir).with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_string_pretty(self).expect("prefs serialise"),
        )?;
        std::fs::rename(tmp, file(data_dir))
    }
}
