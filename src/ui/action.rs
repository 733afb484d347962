//! What the screens ask for. A screen never touches the store: it returns [`Action`]s, and
//! `App::apply` carries them out in one place. Screen-only actions change what is shown or write
//! a file from it; [`DataAction`]s change the data and go through the workspace's
//! `Session::apply`, which the store audits; background jobs read or write whole files.

use std::path::PathBuf;

use uuid::Uuid;

use super::charts::ChartId;
use super::dialogs::FileRequest;
pub use super::registers::RegisterTab;
use crate::i18n::Lang;
use crate::io::print::PaperKind;
use crate::model::Village;
pub use crate::workspace::edit::DataAction;

/// Which screen fills the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Households,
    Household(Uuid),
    NewHousehold,
    Checks,
    Village,
    Precisions,
    /// 防止返贫监测: the monitoring cases, their steps and deadlines, risk elimination.
    Monitoring,
    /// The village registers: team and helpers, projects, funds, products and sales, trainings.
    Registers,
    /// The survey template, import of a filled survey, export of the register.
    Spreadsheets,
    /// The poverty-line table and the thresholds.
    Settings,
    /// Sync bundles for the county, and conflicts to resolve.
    Sync,
    /// Every village of a county database side by side.
    County,
    VillageSetup,
    /// The village's charts, or every village's side by side in a county database.
    Charts,
}

/// Everything a screen can ask for.
#[derive(Debug, Clone)]
pub enum Action {
    // ---- What is shown; nothing is written.
    Navigate(Screen),
    /// Open a household on its baseline survey (入户调查) tab.
    OpenSurvey(Uuid),
    /// Open the village registers on this register.
    OpenRegister(RegisterTab),
    SetLanguage(Lang),
    SetShowSensitive(bool),
    /// The team member working from now on (`None`: ask again), remembered on this installation
    /// and named in the audit log.
    ChooseActor(Option<String>),
    /// Show a stored photo in a window.
    OpenPhoto(Uuid),
    ClosePhoto,
    /// County charts: read the village list when stale, and the figures of these villages.
    LoadChartVillages(Vec<Uuid>),
    /// Show this village of a county database in the village screens.
    ShowVillage(Uuid),
    /// Put the checked survey file aside.
    DiscardSurvey,
    /// Ask the user for a file or folder; the answer becomes the request's action.
    ChooseFile(FileRequest),
    /// Open a saved file, or a folder, with the program the desktop has for it.
    OpenWithSystem(PathBuf),

    // ---- Files written from what is shown; the data do not change.
    /// Save a chart to a file (PNG, or SVG when the name ends in `.svg`).
    SaveChart {
        chart: ChartId,
        path: PathBuf,
    },
    /// Print a household's card or visit sheet to a PDF file the user chose.
    PrintHousehold {
        household: Uuid,
        kind: PaperKind,
        path: PathBuf,
    },
    /// Write the village's public notice of monitoring cases (公示名单), XLSX or PDF.
    PrintNotice {
        path: PathBuf,
        xlsx: bool,
    },
    /// Write the blank baseline-survey template.
    WriteSurveyTemplate(PathBuf),
    /// 备份: a verified copy of the open database into this folder (a USB stick).
    Backup(PathBuf),
    /// 恢复, first step: check this backup and ask whether it may replace the open database.
    Restore(PathBuf),
    /// 恢复 confirmed: put the backup asked about in place of the open database (kept aside),
    /// then reopen it.
    ConfirmRestore,
    /// 恢复 not wanted: nothing happens.
    CancelRestore,

    // ---- Background jobs.
    /// Check a filled survey file; nothing is written.
    CheckSurveyFile(PathBuf),
    /// Write the checked survey file (it had no problems) as one undoable change.
    CommitSurvey,
    /// Export the register and the work records to an .xlsx file or a folder of .csv files.
    Export {
        out: PathBuf,
        xlsx: bool,
        full_ids: bool,
    },
    /// Write a sync bundle; `full` sends everything, not only new changes.
    ExportBundle {
        path: PathBuf,
        full: bool,
    },
    /// Verify and merge sync bundles (all or none).
    ImportBundles(Vec<PathBuf>),
    /// 同步: the pending bundle up to the county's sync server, the return bundle back and merged.
    SyncNow,
    /// (county) Start the sync server on this database: where to listen, and the address laptops
    /// use (the listen address when none).
    StartServer {
        listen: String,
        url: Option<String>,
    },
    /// (county) Stop the sync server the window started.
    StopServer,
    /// Write a return bundle per village of a county database into this folder.
    WriteReturnBundles(PathBuf),
    /// Write the county summary (one sheet per level, the figures of the county table) to this
    /// .xlsx file.
    WriteCountyReport(PathBuf),
    /// Evaluate every village's six precisions for the county view.
    ComputeCountyOverview,
    /// List the households behind a figure of the county table: `figure` in `villages` (one
    /// village, a township's, or the county's), titled `scope`.
    ShowFigureHouseholds {
        figure: crate::rules::figures::HouseholdFigure,
        villages: Vec<Uuid>,
        scope: String,
    },

    // ---- Changes to the data.
    /// A change through the store (see [`DataAction`]).
    Data(DataAction),
    /// Copy a photo file into the store, attached to a visit (read, then `AttachPhoto`).
    AddVisitPhoto {
        visit_id: Uuid,
        path: PathBuf,
    },
    /// Register a real village: from the demo, in a database of its own.
    /// Register a village; the passphrase encrypts the new database it gets (from the demo).
    CreateVillage(Village, Option<String>),
    /// Open the encrypted database with this passphrase (the passphrase prompt).
    Unlock(String),
    /// Re-encrypt the open database with `new` (settings, 更改口令), `old` being the one in use.
    ChangePassphrase {
        old: String,
        new: String,
    },
    /// Encrypt the open (unencrypted, real) database with this passphrase.
    EncryptNow(String),
    Undo,
}

impl From<DataAction> for Action {
    fn from(action: DataAction) -> Action {
        Action::Data(action)
    }
}
