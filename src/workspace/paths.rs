//! Where the data lives: the platform data directory, the village and demo database files in it,
//! the preferences file beside them, and which database the window opens at start.

use std::path::{Path, PathBuf};

use crate::demo::{self, DemoSpec};
use crate::store::{Store, StoreError};

/// The database a fresh installation keeps its real village in.
pub const VILLAGE_DB: &str = "dripline.sqlite";
/// The generated demo village shown until a real village is created.
pub const DEMO_DB: &str = "demo.sqlite";
/// The interface preferences (language, masking), read by the window and the command line.
pub const PREFS_FILE: &str = "ui-prefs.json";

/// The environment variable that puts the data directory elsewhere (tests, a portable
/// install): the databases, the preferences and this computer's installation id
/// (`store::installation`) are then kept there.
pub const DATA_DIR_ENV: &str = "DRIPLINE_DATA_DIR";

/// The platform data directory (e.g. `~/.local/share/dripline`, `%APPDATA%\dripline\Dripline\data`),
/// or the one [`DATA_DIR_ENV`] names.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("cn", "dripline", "Dripline").map(|d| d.data_dir().to_path_buf())
}

/// The real village's database in `data_dir`.
pub fn village_db(data_dir: &Path) -> PathBuf {
    data_dir.join(VILLAGE_DB)
}

/// The preferences file in `data_dir`.
pub fn prefs_file(data_dir: &Path) -> PathBuf {
    data_dir.join(PREFS_FILE)
}

/// Opens the database the window shows: `db` if given; else the village database in the data
/// directory; else the demo database, generated on first start (and again if it lost its
/// village).
pub fn open_default(data_dir: &Path, db: Option<&Path>) -> Result<Store, StoreError> {
    let mut store = open_default_unbound(data_dir, db)?;
    bind(&mut store, data_dir)?;
    Ok(store)
}

/// Binds a database the window opened to the installation of `data_dir`: a file copied from
/// another computer becomes a new device there (see [`super::device`] for what is said).
pub fn bind(store: &mut Store, data_dir: &Path) -> Result<(), StoreError> {
    if let Ok(installation) = crate::store::installation::Installation::in_dir(data_dir) {
        store.bind_installation(&installation)?;
    }
    Ok(())
}

fn open_default_unbound(data_dir: &Path, db: Option<&Path>) -> Result<Store, StoreError> {
    if let Some(path) = db {
        return Store::open_or_create(path);
    }
    let village_db = village_db(data_dir);
    if village_db.exists() {
        return Store::open(&village_db);
    }
    let demo_db = data_dir.join(DEMO_DB);
    let fresh = !demo_db.exists();
    let mut store = Store::open_or_create(&demo_db)?;
    if fresh || store.villages()?.is_empty() {
        let village = demo::generate_village(&DemoSpec::default(), 0);
        store.insert_generated_with_workflow(
            &village.village,
            &village.households,
            &village.workflow,
        )?;
    }
    Ok(store)
}
