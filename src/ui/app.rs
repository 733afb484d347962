//! The window: arranges the screens, and is the one place where their actions are applied to the
//! store. Applying an action records it for undo, refreshes the village snapshot the screens read,
//! and turns any error into a message in the user's language.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::charts::{ChartId, ChartsScreen, SaveError};
use super::checks::ChecksScreen;
use super::county::CountyScreen;
use super::household::HouseholdScreen;
use super::households::HouseholdListScreen;
use super::jobs::{Job, JobOutcome};
use super::precisions::PrecisionsScreen;
use super::prefs::UiPrefs;
use super::registers::RegistersScreen;
use super::settings::SettingsScreen;
use super::spreadsheets::{CheckedFile, SpreadsheetsScreen};
use super::sync::{SyncScreen, SyncView};
use super::village::VillageScreen;
use super::village_setup::VillageSetupScreen;
use super::widgets::{ERROR_RED, OK_GREEN};
use crate::demo::{self, DemoSpec};
use crate::i18n::{Lang, Localize};
use crate::model::{
    ExitDecision, HouseholdRecord, IncomeYear, Measure, Member, SurveyState, Thresholds, Village,
    VillageWorkflow, Visit,
};
use crate::rules::income::PovertyLines;
use crate::rules::plan::CauseAnswers;
use crate::rules::precisions::{self, PrecisionInputs, Precisions, SplitHeuristic};
use crate::rules::quality::{self, Finding};
use crate::rules::summary::{self, HouseholdSummary};
use crate::rules::village::{self as village_rules, VillageAssessment};
use crate::store::{ChangeId, Store, StoreError};

/// The database a fresh installation keeps its real village in.
pub const VILLAGE_DB: &str = "dripline.sqlite";
/// The generated demo village shown until a real village is created.
pub const DEMO_DB: &str = "demo.sqlite";

/// Which screen fills the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Households,
    Household(Uuid),
    NewHousehold,
    Checks,
    Village,
    Precisions,
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

/// Everything a screen can ask for. Screens never touch the store themselves.
#[derive(Debug, Clone)]
pub enum Action {
    SetLanguage(Lang),
    SetShowSensitive(bool),
    Navigate(Screen),
    CreateVillage(Village),
    SaveVillage(Village),
    SaveHousehold(crate::model::Household),
    DeleteHousehold(Uuid),
    SaveMember(Member),
    DeleteMember(Uuid),
    SaveIncome(IncomeYear),
    DeleteIncome(Uuid),
    SaveMeasure(Measure),
    DeleteMeasure(Uuid),
    /// A finished visit: saved, and an exited household it puts at risk is flagged.
    SaveVisit(Visit),
    /// The autosave of an open visit form: saved silently, not an undo step.
    SaveVisitDraft(Visit),
    /// Save a survey's progress (a draft).
    SaveSurvey(SurveyState),
    /// Complete a survey: saved, and the household's status follows the confirmed
    /// identification (a second undoable change).
    CompleteSurvey(SurveyState),
    /// Propose (no date) or confirm (with a date) a household's exit.
    SaveExitDecision(ExitDecision),
    DeleteExitDecision(Uuid),
    SaveTeamMember(crate::model::TeamMember),
    DeleteTeamMember(Uuid),
    SaveHelper(crate::model::Helper),
    DeleteHelper(Uuid),
    SaveProject(crate::model::Project),
    DeleteProject(Uuid),
    SaveFund(crate::model::FundEntry),
    DeleteFund(Uuid),
    SaveProduct(crate::model::Product),
    DeleteProduct(Uuid),
    SaveSale(crate::model::Sale),
    DeleteSale(Uuid),
    SaveTraining(crate::model::Training),
    DeleteTraining(Uuid),
    /// Copy a photo file into the store, attached to a visit.
    AddVisitPhoto {
        visit_id: Uuid,
        path: PathBuf,
    },
    /// A photo's bytes attached to a visit (what `AddVisitPhoto` becomes once the file is read).
    AttachPhoto {
        visit_id: Uuid,
        file_name: String,
        bytes: Vec<u8>,
    },
    DeleteVisitPhoto(Uuid),
    SavePovertyLine(crate::model::PovertyLine),
    SaveThresholds(Thresholds),
    /// Write the blank baseline-survey template.
    WriteSurveyTemplate(PathBuf),
    /// Check a filled survey file (in the background); nothing is written.
    CheckSurveyFile(PathBuf),
    /// Write the checked survey file (it had no problems) as one undoable change.
    CommitSurvey,
    /// Put the checked survey file aside.
    DiscardSurvey,
    /// Export the register to an .xlsx file or a folder of .csv files (in the background).
    Export {
        out: PathBuf,
        xlsx: bool,
        full_ids: bool,
    },
    /// Write a return bundle per village of a county database into this folder (in the background).
    WriteReturnBundles(PathBuf),
    /// Evaluate every village's six precisions (in the background) for the county view.
    ComputeCountyOverview,
    /// Set the county's public key: bundles are encrypted to it from then on.
    SetCountyKey(String),
    /// Write a sync bundle (in the background); `full` sends everything, not only new changes.
    ExportBundle {
        path: PathBuf,
        full: bool,
    },
    /// Verify and merge sync bundles (in the background, all or none).
    ImportBundles(Vec<PathBuf>),
    /// Decide a conflict left by a merge.
    ResolveConflict {
        key: crate::sync::status::ConflictKey,
        resolution: crate::sync::status::Resolution,
    },
    /// Show a stored photo in a window.
    OpenPhoto(Uuid),
    ClosePhoto,
    /// Print a household's card or visit sheet to a PDF file the user chose (no data changes).
    PrintHousehold {
        household: Uuid,
        kind: crate::io::print::PaperKind,
        path: PathBuf,
    },
    Undo,
    /// Save a chart to a file (PNG, or SVG when the name ends in `.svg`).
    SaveChart {
        chart: ChartId,
        path: PathBuf,
    },
    /// County charts: read the village list when stale, and the figures of these villages.
    LoadChartVillages(Vec<Uuid>),
}

/// What the screens read: the current village and everything derived from it, rebuilt whenever the
/// data changes (never per frame).
pub struct VillageSnapshot {
    /// Villages in the database: more than one is a county database, which gets the county view.
    pub village_count: usize,
    pub village: Option<Village>,
    pub records: Vec<HouseholdRecord>,
    pub summaries: Vec<HouseholdSummary>,
    pub findings: Vec<Finding>,
    pub assessment: Option<VillageAssessment>,
    /// The workflow records of the village (helpers, plans, visits, funds…).
    pub workflow: VillageWorkflow,
    /// The six precisions' panels (六个精准), from the registry and the workflow records.
    pub precisions: Option<Precisions>,
    pub lines: PovertyLines,
    pub thresholds: Thresholds,
    pub today: NaiveDate,
    /// Bumped by every refresh: what caches derived from the snapshot (chart textures) key on.
    pub generation: u64,
}

impl VillageSnapshot {
    fn load(store: &Store, today: NaiveDate) -> Result<VillageSnapshot, StoreError> {
        let villages = store.villages()?;
        let village_count = villages.len();
        let village = villages.into_iter().next();
        let today = village
            .as_ref()
            .map_or(today, |v| demo::evaluation_date(v, today));
        let records = match &village {
            Some(v) => store.household_records(Some(v.id))?,
            None => Vec::new(),
        };
        let lines = store.poverty_lines()?;
        let thresholds = store.thresholds()?;
        let findings = quality::check_village(&records, today, &thresholds);
        let summaries = summary::summarize(&records, &lines, &thresholds, &findings);
        let assessment = village
            .as_ref()
            .map(|v| village_rules::assess_village(v, &records, &thresholds));
        let workflow = match &village {
            Some(v) => store.village_workflow(v.id)?,
            None => VillageWorkflow::default(),
        };
        let precisions = village.as_ref().map(|v| {
            precisions::evaluate(&PrecisionInputs {
                village: v,
                records: &records,
                workflow: &workflow,
                lines: &lines,
                thresholds: &thresholds,
                cause_answers: &CauseAnswers::default(),
                split: &SplitHeuristic::default(),
                today,
            })
        });
        Ok(VillageSnapshot {
            village_count,
            village,
            records,
            summaries,
            findings,
            assessment,
            workflow,
            precisions,
            lines,
            thresholds,
            today,
            generation: 0,
        })
    }

    pub fn record(&self, id: Uuid) -> Option<&HouseholdRecord> {
        self.records.iter().find(|r| r.household.id == id)
    }
}

/// A message shown under the toolbar until the next action.
enum Notice {
    Saved,
    /// A visit was saved and put the exited household under monitoring, for these reasons.
    Flagged(Vec<crate::rules::visits::UnstableReason>),
    Undone,
    Error(StoreError),
    /// A file the user chose could not be read.
    FileError {
        path: PathBuf,
        message: String,
    },
    /// A finished background job or file write, described in the user's language.
    Done(String),
    /// A failed background job or file write, described in the user's language.
    Failed(String),
    ChartSaved(PathBuf),
    ChartError(SaveError),
    /// A document was printed to this file.
    Printed(PathBuf),
    PrintFailed(crate::io::print::PrintError),
}

/// The open database and its snapshot.
struct Workspace {
    store: Store,
    snapshot: VillageSnapshot,
}

pub struct App {
    data_dir: PathBuf,
    prefs: UiPrefs,
    workspace: Result<Workspace, StoreError>,
    screen: Screen,
    list: HouseholdListScreen,
    household: HouseholdScreen,
    checks: ChecksScreen,
    village: VillageScreen,
    precisions: PrecisionsScreen,
    registers: RegistersScreen,
    village_setup: VillageSetupScreen,
    charts: ChartsScreen,
    /// Changes made in this session, newest last: what the undo button reverts.
    undo_stack: Vec<ChangeId>,
    notice: Option<Notice>,
    /// The photo shown in its own window, read from the store when opened.
    photo: Option<OpenedPhoto>,
    spreadsheets: SpreadsheetsScreen,
    settings: SettingsScreen,
    sync: SyncScreen,
    county: CountyScreen,
    /// Every village with its headline figures, once computed.
    county_rows: Option<Vec<(Village, crate::rules::precisions::Headline)>>,
    /// What the sync screen shows, read when it opens and after each sync change.
    sync_view: Option<SyncView>,
    /// The background job (survey check or import, export), while it runs.
    job: Option<Job>,
    /// A checked survey file waiting to be accepted or discarded.
    checked_survey: Option<CheckedFile>,
}

/// A stored photo being looked at.
struct OpenedPhoto {
    id: Uuid,
    file_name: String,
    bytes: std::sync::Arc<[u8]>,
}

impl App {
    /// Builds the app for eframe: installs the CJK font and opens the data.
    /// `data_dir` holds the databases and preferences; `db` overrides the database file.
    pub fn new(cc: &eframe::CreationContext<'_>, data_dir: PathBuf, db: Option<PathBuf>) -> App {
        super::fonts::install(&cc.egui_ctx);
        egui_extras::install_image_loaders(&cc.egui_ctx);
        // A light theme reads better on old laptop screens in a bright village office.
        cc.egui_ctx.set_theme(egui::Theme::Light);
        App::open(data_dir, db)
    }

    /// Opens the data without a window (used by [`App::new`] and the UI tests).
    pub fn open(data_dir: PathBuf, db: Option<PathBuf>) -> App {
        let prefs = UiPrefs::load(&data_dir);
        let workspace = open_workspace(&data_dir, db.as_deref());
        let screen = match &workspace {
            Ok(w) if w.snapshot.village.is_none() => Screen::VillageSetup,
            _ => Screen::Households,
        };
        App {
            data_dir,
            prefs,
            workspace,
            screen,
            list: HouseholdListScreen::default(),
            household: HouseholdScreen::default(),
            checks: ChecksScreen,
            village: VillageScreen::default(),
            precisions: PrecisionsScreen,
            registers: RegistersScreen::default(),
            village_setup: VillageSetupScreen::default(),
            charts: ChartsScreen::default(),
            undo_stack: Vec::new(),
            notice: None,
            photo: None,
            spreadsheets: SpreadsheetsScreen::default(),
            settings: SettingsScreen::default(),
            sync: SyncScreen::default(),
            county: CountyScreen::default(),
            county_rows: None,
            sync_view: None,
            job: None,
            checked_survey: None,
        }
    }

    pub fn lang(&self) -> Lang {
        self.prefs.lang
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// Charts drawn into textures so far, on the charts screen and the household charts tab
    /// (tests use it to show that frames reuse textures and data changes redraw).
    pub fn chart_renders(&self) -> u64 {
        self.charts.renders() + self.household.chart_renders()
    }

    /// The open store, if the data could be opened (for tests and the status line).
    pub fn store(&self) -> Option<&Store> {
        self.workspace.as_ref().ok().map(|w| &w.store)
    }

    /// Applies one action through the store, then refreshes what depends on it.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetLanguage(lang) => {
                self.prefs.lang = lang;
                self.save_prefs();
            }
            Action::SetShowSensitive(show) => {
                self.prefs.show_sensitive = show;
                self.save_prefs();
            }
            Action::Navigate(screen) => self.navigate(screen),
            Action::CreateVillage(village) => self.create_village(village),
            Action::Undo => self.undo(),
            Action::SaveVisitDraft(visit) => self.save_visit_draft(&visit),
            Action::SaveVisit(visit) => self.save_visit(visit),
            Action::CompleteSurvey(survey) => self.complete_survey(survey),
            Action::OpenPhoto(id) => self.open_photo(id),
            Action::WriteSurveyTemplate(path) => self.write_survey_template(&path),
            Action::SetCountyKey(line) => self.set_county_key(&line),
            Action::ComputeCountyOverview => self.start_store_job(Job::county_overview),
            Action::WriteReturnBundles(dir) => {
                self.start_store_job(|db, lang| Job::write_returns(db, dir, lang))
            }
            Action::ExportBundle { path, full } => self.start_store_job(|db, lang| {
                Job::export_bundle(db, super::sync::bundle_path(path), full, lang)
            }),
            Action::ImportBundles(files) => {
                self.start_store_job(|db, lang| Job::import_bundles(db, files, lang))
            }
            Action::ResolveConflict { key, resolution } => self.resolve_conflict(&key, resolution),
            Action::CheckSurveyFile(path) => self.check_survey_file(path),
            Action::CommitSurvey => self.commit_survey(),
            Action::DiscardSurvey => self.checked_survey = None,
            Action::Export {
                out,
                xlsx,
                full_ids,
            } => self.export(out, xlsx, full_ids),
            Action::ClosePhoto => self.photo = None,
            Action::AddVisitPhoto { visit_id, path } => match std::fs::read(&path) {
                Ok(bytes) => {
                    let file_name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    self.apply(Action::AttachPhoto {
                        visit_id,
                        file_name,
                        bytes,
                    });
                }
                Err(e) => {
                    self.notice = Some(Notice::FileError {
                        path,
                        message: e.to_string(),
                    })
                }
            },
            Action::SaveChart { chart, path } => self.save_chart(chart, path),
            Action::LoadChartVillages(ids) => {
                if let Ok(workspace) = &self.workspace
                    && let Err(e) =
                        self.charts
                            .load_villages(&workspace.store, &workspace.snapshot, &ids)
                {
                    self.notice = Some(Notice::Error(e));
                }
            }
            Action::PrintHousehold {
                household,
                kind,
                path,
            } => self.print_household(household, kind, &path),
            data_action => {
                let Ok(workspace) = &mut self.workspace else {
                    return;
                };
                let today = workspace.snapshot.today;
                let store = &mut workspace.store;
                let mut opened = None;
                let result = match data_action {
                    Action::SaveHousehold(h) => {
                        opened = Some(h.id);
                        store.save_household(&h)
                    }
                    Action::DeleteHousehold(id) => store.delete_household(id),
                    Action::SaveMember(m) => store.save_member(&m, today),
                    Action::DeleteMember(id) => store.delete_member(id),
                    Action::SaveIncome(i) => store.save_income(&i, today),
                    Action::DeleteIncome(id) => store.delete_income(id),
                    Action::SaveVillage(v) => store.save_village(&v),
                    Action::SaveMeasure(m) => store.save_measure(&m),
                    Action::DeleteMeasure(id) => store.delete_measure(id),
                    Action::SaveExitDecision(d) => store.save_exit_decision(&d, today),
                    Action::SaveSurvey(survey) => store.save_survey(&survey, today),
                    Action::DeleteExitDecision(id) => store.delete_exit_decision(id),
                    Action::SaveTeamMember(m) => store.save_team_member(&m),
                    Action::DeleteTeamMember(id) => store.delete_team_member(id),
                    Action::SaveHelper(h) => store.save_helper(&h),
                    Action::DeleteHelper(id) => store.delete_helper(id),
                    Action::SaveProject(p) => store.save_project(&p),
                    Action::DeleteProject(id) => store.delete_project(id),
                    Action::SaveFund(f) => store.save_fund_entry(&f),
                    Action::DeleteFund(id) => store.delete_fund_entry(id),
                    Action::SaveProduct(p) => store.save_product(&p),
                    Action::DeleteProduct(id) => store.delete_product(id),
                    Action::SaveSale(s) => store.save_sale(&s),
                    Action::DeleteSale(id) => store.delete_sale(id),
                    Action::SaveTraining(t) => store.save_training(&t),
                    Action::DeleteTraining(id) => store.delete_training(id),
                    Action::AttachPhoto {
                        visit_id,
                        file_name,
                        bytes,
                    } => store.add_visit_photo(visit_id, &file_name, &bytes),
                    Action::DeleteVisitPhoto(id) => store.delete_visit_photo(id),
                    Action::SavePovertyLine(line) => store.set_poverty_line(line),
                    // Thresholds live in the file's settings, outside the audited records.
                    Action::SaveThresholds(t) => store.set_thresholds(&t).map(|()| None),
                    _ => unreachable!("handled above"),
                };
                match result {
                    Ok(change) => {
                        self.undo_stack.extend(change);
                        self.notice = Some(Notice::Saved);
                        self.household.saved();
                        self.village.reset();
                        self.registers.saved();
                        self.settings.saved();
                        self.refresh();
                        if self.screen == Screen::NewHousehold
                            && let Some(id) = opened
                        {
                            self.navigate(Screen::Household(id));
                            self.household.show_members_tab();
                        } else if let Screen::Household(id) = self.screen
                            && self.snapshot().and_then(|s| s.record(id)).is_none()
                        {
                            self.screen = Screen::Households;
                        }
                    }
                    Err(e) => self.notice = Some(Notice::Error(e)),
                }
            }
        }
    }

    /// Prints a household's card or visit sheet from the snapshot; ID numbers in full only when
    /// the user chose to see them on screen.
    fn print_household(&mut self, household: Uuid, kind: crate::io::print::PaperKind, path: &Path) {
        use crate::io::print::{self, PaperInputs, PrintOptions};
        let Some(snapshot) = self.snapshot() else {
            return;
        };
        let (Some(village), Some(record)) = (&snapshot.village, snapshot.record(household)) else {
            return;
        };
        let input = PaperInputs {
            village,
            record,
            workflow: &snapshot.workflow,
            lines: &snapshot.lines,
            thresholds: &snapshot.thresholds,
            printed_on: snapshot.today,
        };
        let options = PrintOptions {
            lang: self.prefs.lang,
            full_ids: self.prefs.show_sensitive,
        };
        let result = print::render(kind, &input, &options)
            .and_then(|pdf| print::write_atomically(path, &pdf));
        self.notice = Some(match result {
            Ok(()) => Notice::Printed(path.to_path_buf()),
            Err(e) => Notice::PrintFailed(e),
        });
    }

    /// Autosave of a visit form: no undo step and no message, so typing is not interrupted; an
    /// error is shown, since it means the draft is not safe.
    fn save_visit_draft(&mut self, visit: &Visit) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let today = workspace.snapshot.today;
        match workspace.store.save_visit(visit, today) {
            Ok(_) => self.refresh(),
            Err(e) => self.notice = Some(Notice::Error(e)),
        }
    }

    /// Saves a finished visit; when it shows an exited household at risk (a risk event, or income
    /// below the warning band), the household is flagged 脱贫不稳定户 as a second undoable change.
    fn save_visit(&mut self, visit: Visit) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let snapshot = &workspace.snapshot;
        let suggestion = snapshot.record(visit.household_id).and_then(|record| {
            crate::rules::visits::flag_unstable(
                record,
                &visit,
                &snapshot.lines,
                &snapshot.thresholds,
            )
            .map(|s| (record.household.clone(), s))
        });
        let today = snapshot.today;
        let result = workspace
            .store
            .save_visit(&visit, today)
            .and_then(|change| {
                self.undo_stack.extend(change);
                match suggestion {
                    Some((mut household, suggestion)) => {
                        household.status = suggestion.status;
                        let change = workspace.store.save_household(&household)?;
                        self.undo_stack.extend(change);
                        Ok(Some(suggestion.reasons))
                    }
                    None => Ok(None),
                }
            });
        match result {
            Ok(flagged) => {
                self.notice = Some(match flagged {
                    Some(reasons) => Notice::Flagged(reasons),
                    None => Notice::Saved,
                });
                self.household.saved();
                self.refresh();
            }
            Err(e) => self.notice = Some(Notice::Error(e)),
        }
    }

    /// Completes a survey and moves the household's status to what the confirmed identification
    /// means (registered poor, marginal monitoring, not poor; exited households stay exited).
    fn complete_survey(&mut self, survey: SurveyState) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let today = workspace.snapshot.today;
        let household = workspace
            .snapshot
            .record(survey.household_id)
            .map(|r| r.household.clone());
        let result = workspace
            .store
            .save_survey(&survey, today)
            .and_then(|change| {
                self.undo_stack.extend(change);
                if let (Some(mut household), Some(confirmed)) =
                    (household, survey.confirmed_identification)
                {
                    let status =
                        crate::rules::identification::status_for(confirmed, household.status);
                    if status != household.status {
                        household.status = status;
                        let change = workspace.store.save_household(&household)?;
                        self.undo_stack.extend(change);
                    }
                }
                Ok(())
            });
        match result {
            Ok(()) => {
                self.notice = Some(Notice::Saved);
                self.household.saved();
                self.refresh();
            }
            Err(e) => self.notice = Some(Notice::Error(e)),
        }
    }

    /// Starts a background job on this database file (unless one is running).
    fn start_store_job(&mut self, start: impl FnOnce(PathBuf, Lang) -> Job) {
        let Ok(workspace) = &self.workspace else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        self.job = Some(start(workspace.store.path().to_path_buf(), self.prefs.lang));
    }

    /// Reads what the sync screen shows.
    fn load_sync_view(&mut self) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let store = &mut workspace.store;
        let view = (|| -> Result<SyncView, crate::sync::SyncError> {
            let is_county = crate::sync::county::is_county(store)?;
            Ok(SyncView {
                status: crate::sync::status::status(store)?,
                conflicts: crate::sync::status::conflicts(store, false)?,
                device_line: crate::sync::crypto::DeviceIdentity::load_or_create(store)?
                    .public()
                    .to_line(),
                county_line: crate::sync::county::county_key(store)?.map(|c| c.to_line()),
                is_county,
            })
        })();
        match view {
            Ok(view) => self.sync_view = Some(view),
            Err(e) => self.notice = Some(Notice::Failed(e.localize(self.prefs.lang))),
        }
    }

    fn set_county_key(&mut self, line: &str) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let lang = self.prefs.lang;
        self.notice = Some(
            match crate::sync::county::set_county_key(&mut workspace.store, line) {
                Ok(_) => Notice::Done(
                    lang.pick(
                        "已设置县级密钥：此后导出的数据包只有县里能打开。",
                        "County key set: bundles exported from now on can be opened only by the county.",
                    )
                    .to_string(),
                ),
                Err(e) => Notice::Failed(e.localize(lang)),
            },
        );
        self.load_sync_view();
    }

    fn resolve_conflict(
        &mut self,
        key: &crate::sync::status::ConflictKey,
        resolution: crate::sync::status::Resolution,
    ) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let lang = self.prefs.lang;
        match crate::sync::status::resolve(&mut workspace.store, key, resolution) {
            Ok(()) => {
                self.notice = Some(Notice::Saved);
                self.refresh();
            }
            Err(e) => self.notice = Some(Notice::Failed(e.localize(lang))),
        }
        self.load_sync_view();
    }

    /// True while a background job (survey check or import, export) runs.
    pub fn job_running(&self) -> bool {
        self.job.is_some()
    }

    fn write_survey_template(&mut self, path: &Path) {
        let lang = self.prefs.lang;
        self.notice = Some(match crate::io::survey::write_template(path) {
            Ok(()) => Notice::Done(match lang {
                Lang::Zh => format!("已保存入户调查模板 {}", path.display()),
                Lang::En => format!("Saved the survey template {}", path.display()),
            }),
            Err(e) => Notice::Failed(e.localize(lang)),
        });
    }

    fn check_survey_file(&mut self, file: PathBuf) {
        let Ok(workspace) = &self.workspace else {
            return;
        };
        let Some(village) = &workspace.snapshot.village else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        self.checked_survey = None;
        self.job = Some(Job::check_survey(
            file,
            village.id,
            workspace.snapshot.records.clone(),
            today(),
            self.prefs.lang,
        ));
    }

    fn commit_survey(&mut self) {
        let Ok(workspace) = &self.workspace else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        let Some(checked) = &self.checked_survey else {
            return;
        };
        // The button is disabled then; this guards the action itself (all or nothing).
        if !checked.plan.problems.is_empty() {
            let refusal = crate::io::import::ApplyError::HasProblems {
                count: checked.plan.problems.len(),
            };
            self.notice = Some(Notice::Failed(refusal.localize(self.prefs.lang)));
            return;
        }
        let Some(checked) = self.checked_survey.take() else {
            return;
        };
        self.job = Some(Job::commit_survey(
            workspace.store.path().to_path_buf(),
            checked.file,
            checked.plan,
            today(),
            self.prefs.lang,
        ));
    }

    fn export(&mut self, out: PathBuf, xlsx: bool, full_ids: bool) {
        let Ok(workspace) = &self.workspace else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        self.job = Some(Job::export(
            workspace.store.path().to_path_buf(),
            out,
            xlsx,
            full_ids,
            self.prefs.lang,
        ));
    }

    /// Takes in the result of the background job once it is there.
    fn poll_job(&mut self) {
        let Some(outcome) = self.job.as_ref().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        let lang = self.prefs.lang;
        match outcome {
            JobOutcome::Checked { file, plan } => {
                self.checked_survey = Some(CheckedFile { file, plan });
            }
            JobOutcome::Committed { file, summary } => {
                self.undo_stack.extend(summary.change);
                self.notice = Some(Notice::Done(match lang {
                    Lang::Zh => format!(
                        "已导入 {}：新增 {} 户、更新 {} 户，新增 {} 人、更新 {} 人（可撤销）",
                        file.display(),
                        summary.households_created,
                        summary.households_updated,
                        summary.members_created,
                        summary.members_updated
                    ),
                    Lang::En => format!(
                        "Imported {}: {} households created, {} updated, {} members created, {} updated (can be undone)",
                        file.display(),
                        summary.households_created,
                        summary.households_updated,
                        summary.members_created,
                        summary.members_updated
                    ),
                }));
                self.refresh();
            }
            JobOutcome::Exported { files, rows } => {
                let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                let rows: Vec<String> = rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
                self.notice = Some(Notice::Done(match lang {
                    Lang::Zh => format!("已导出 {}（{}）", files.join("、"), rows.join("，")),
                    Lang::En => format!("Exported {} ({})", files.join(", "), rows.join(", ")),
                }));
            }
            JobOutcome::BundleExported(summary) => {
                let mut text = match lang {
                    Lang::Zh => format!(
                        "已导出数据包 {}（{} 条记录）",
                        summary.path.display(),
                        summary.header.counts.records
                    ),
                    Lang::En => format!(
                        "Bundle written: {} ({} records)",
                        summary.path.display(),
                        summary.header.counts.records
                    ),
                };
                if !summary.encrypted {
                    text.push_str(lang.pick(
                        "。注意：未设置县级密钥，数据包未加密，请妥善保管。",
                        ". Note: no county key is set, so the bundle is not encrypted; keep it safe.",
                    ));
                }
                self.notice = Some(Notice::Done(text));
                self.load_sync_view();
            }
            JobOutcome::BundlesImported(reports) => {
                let lines: Vec<String> = reports
                    .iter()
                    .map(|r| {
                        let name = r
                            .file
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let mut line = if r.already_imported {
                            match lang {
                                Lang::Zh => format!("{name}：此前已导入，未作改动"),
                                Lang::En => format!("{name}: imported before, nothing changed"),
                            }
                        } else {
                            match lang {
                                Lang::Zh => format!(
                                    "{name}：新增记录 {}，更新字段 {}，冲突 {}",
                                    r.stats.records_inserted,
                                    r.stats.fields_updated,
                                    r.stats.conflicts_recorded
                                ),
                                Lang::En => format!(
                                    "{name}: {} records added, {} fields updated, {} conflicts",
                                    r.stats.records_inserted,
                                    r.stats.fields_updated,
                                    r.stats.conflicts_recorded
                                ),
                            }
                        };
                        if let Some((expected, found)) = r.gap {
                            line.push_str(&match lang {
                                Lang::Zh => format!(
                                    "（缺少第 {expected} 至 {} 号修改，请让对方重新导出）",
                                    found - 1
                                ),
                                Lang::En => format!(
                                    " (changes {expected} to {} are missing: ask for a new export)",
                                    found - 1
                                ),
                            });
                        }
                        line
                    })
                    .collect();
                self.notice = Some(Notice::Done(lines.join(lang.pick("；", "; "))));
                // The villages' figures changed: the county view is computed again when opened.
                self.county_rows = None;
                self.refresh();
                self.load_sync_view();
            }
            JobOutcome::CountyOverview(rows) => self.county_rows = Some(rows),
            JobOutcome::ReturnsWritten {
                written,
                without_devices,
            } => {
                let mut text = match lang {
                    Lang::Zh => format!("已生成 {} 个返回包", written.len()),
                    Lang::En => format!("{} return bundles written", written.len()),
                };
                if let Some(dir) = written.first().and_then(|p| p.parent()) {
                    text.push_str(&format!("（{}）", dir.display()));
                }
                if !without_devices.is_empty() {
                    text.push_str(&match lang {
                        Lang::Zh => format!(
                            "；以下村还没有登记设备，未生成：{}",
                            without_devices.join("、")
                        ),
                        Lang::En => format!(
                            "; these villages have no registered laptop yet: {}",
                            without_devices.join(", ")
                        ),
                    });
                }
                self.notice = Some(Notice::Done(text));
            }
            JobOutcome::Failed(message) => self.notice = Some(Notice::Failed(message)),
        }
    }

    fn open_photo(&mut self, id: Uuid) {
        let Ok(workspace) = &self.workspace else {
            return;
        };
        let file_name = workspace
            .snapshot
            .workflow
            .photos
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.file_name.clone())
            .unwrap_or_default();
        match workspace.store.visit_photo_bytes(id) {
            Ok(bytes) => {
                self.photo = Some(OpenedPhoto {
                    id,
                    file_name,
                    bytes: bytes.into(),
                })
            }
            Err(e) => self.notice = Some(Notice::Error(e)),
        }
    }

    /// The photo window, while a photo is open.
    fn photo_ui(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let Some(photo) = &self.photo else { return };
        let lang = self.prefs.lang;
        let mut open = true;
        egui::Window::new(photo.file_name.as_str())
            .open(&mut open)
            .collapsible(false)
            .default_size([640.0, 480.0])
            .show(ui.ctx(), |ui| {
                if ui.button(lang.pick("关闭", "Close")).clicked() {
                    actions.push(Action::ClosePhoto);
                }
                // Small photos are shown at their size, large ones scaled down to the window.
                ui.add(
                    egui::Image::from_bytes(
                        format!("bytes://photo/{}", photo.id),
                        egui::load::Bytes::Shared(photo.bytes.clone()),
                    )
                    .max_size(egui::vec2(960.0, 640.0))
                    .shrink_to_fit(),
                );
            });
        if !open {
            actions.push(Action::ClosePhoto);
        }
    }

    /// Draws a chart at the save size and writes it where the user chose.
    fn save_chart(&mut self, chart: ChartId, path: PathBuf) {
        let Ok(workspace) = &self.workspace else {
            return;
        };
        let lang = self.prefs.lang;
        self.notice = Some(
            match self
                .charts
                .save(&workspace.store, &workspace.snapshot, chart, &path, lang)
            {
                Ok(()) => Notice::ChartSaved(path),
                Err(e) => Notice::ChartError(e),
            },
        );
    }

    fn snapshot(&self) -> Option<&VillageSnapshot> {
        self.workspace.as_ref().ok().map(|w| &w.snapshot)
    }

    fn save_prefs(&mut self) {
        // Preferences are a convenience: failing to write them must not interrupt work.
        let _ = self.prefs.save(&self.data_dir);
    }

    fn navigate(&mut self, screen: Screen) {
        match screen {
            Screen::Household(id) => {
                if let Some(record) = self.snapshot().and_then(|s| s.record(id)).cloned() {
                    self.household.open(&record);
                } else {
                    return;
                }
            }
            Screen::NewHousehold => {
                let Ok(workspace) = &self.workspace else {
                    return;
                };
                let Some(village) = &workspace.snapshot.village else {
                    return;
                };
                self.household
                    .start_new(village.id, &workspace.snapshot.records);
            }
            Screen::VillageSetup => self.village_setup = VillageSetupScreen::default(),
            Screen::Village => self.village.reset(),
            Screen::Registers => self.registers.saved(),
            Screen::Settings => self.settings.saved(),
            Screen::Sync => {
                self.screen = screen;
                self.load_sync_view();
            }
            Screen::County => {
                if self.county_rows.is_none() {
                    self.start_store_job(Job::county_overview);
                }
            }
            Screen::Households
            | Screen::Checks
            | Screen::Precisions
            | Screen::Spreadsheets
            | Screen::Charts => {}
        }
        self.screen = screen;
    }

    fn refresh(&mut self) {
        if let Ok(workspace) = &mut self.workspace {
            match VillageSnapshot::load(&workspace.store, today()) {
                Ok(mut snapshot) => {
                    snapshot.generation = workspace.snapshot.generation + 1;
                    workspace.snapshot = snapshot;
                }
                Err(e) => self.notice = Some(Notice::Error(e)),
            }
            if let Screen::Household(id) = self.screen
                && let Some(record) = self.snapshot().and_then(|s| s.record(id)).cloned()
            {
                self.household.refresh(&record);
            }
        }
    }

    fn undo(&mut self) {
        let Ok(workspace) = &mut self.workspace else {
            return;
        };
        let Some(change) = self.undo_stack.pop() else {
            self.notice = Some(Notice::Error(StoreError::NothingToUndo));
            return;
        };
        match workspace.store.undo(change) {
            Ok(_) => {
                self.notice = Some(Notice::Undone);
                self.household.saved();
                self.village.reset();
                self.registers.saved();
                self.settings.saved();
                self.refresh();
                if let Screen::Household(id) = self.screen
                    && self.snapshot().and_then(|s| s.record(id)).is_none()
                {
                    self.screen = Screen::Households;
                }
            }
            Err(e) => self.notice = Some(Notice::Error(e)),
        }
    }

    /// Registers a real village. From the demo (or when nothing could be opened) the village goes
    /// into a new database of its own in the data directory and the app switches to it; otherwise
    /// it goes into the open database.
    fn create_village(&mut self, village: Village) {
        let in_demo = self
            .snapshot()
            .and_then(|s| s.village.as_ref())
            .is_some_and(|v| v.is_demo);
        let result = match &mut self.workspace {
            Ok(workspace) if !in_demo => workspace.store.save_village(&village).map(|_| None),
            _ => Store::open_or_create(&self.data_dir.join(VILLAGE_DB)).and_then(|mut store| {
                store.save_village(&village)?;
                let snapshot = VillageSnapshot::load(&store, today())?;
                Ok(Some(Workspace { store, snapshot }))
            }),
        };
        match result {
            Ok(new_workspace) => {
                if let Some(workspace) = new_workspace {
                    self.workspace = Ok(workspace);
                    self.undo_stack.clear();
                }
                self.village.reset();
                self.refresh();
                self.notice = Some(Notice::Saved);
                self.screen = Screen::Households;
            }
            Err(e) => self.notice = Some(Notice::Error(e)),
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let lang = self.prefs.lang;
        ui.horizontal_wrapped(|ui| {
            ui.heading(lang.pick("精准扶贫 · 村级工作台", "Dripline · Village Workbench"));
            if let Some(village) = self.snapshot().and_then(|s| s.village.as_ref()) {
                ui.label(
                    RichText::new(format!(
                        "{} {} {}",
                        village.county, village.township, village.name
                    ))
                    .strong(),
                );
            }
            ui.separator();
            let problems = self.snapshot().map(|s| s.findings.len()).unwrap_or(0);
            let nav = [
                (
                    Screen::Households,
                    lang.pick("农户名册", "Households").to_string(),
                ),
                (
                    Screen::Precisions,
                    lang.pick("六个精准", "Six precisions").to_string(),
                ),
                (
                    Screen::Registers,
                    lang.pick("村级台账", "Registers").to_string(),
                ),
                (
                    Screen::Village,
                    lang.pick("村情（一低五有）", "Village").to_string(),
                ),
                (Screen::Charts, lang.pick("图表", "Charts").to_string()),
                (
                    Screen::Spreadsheets,
                    lang.pick("表格导入导出", "Spreadsheets").to_string(),
                ),
                (
                    Screen::Checks,
                    match lang {
                        Lang::Zh => format!("数据检查（{problems}）"),
                        Lang::En => format!("Data checks ({problems})"),
                    },
                ),
            ];
            for (screen, label) in nav {
                let selected = self.screen == screen;
                if ui.selectable_label(selected, label).clicked() && !selected {
                    actions.push(Action::Navigate(screen));
                }
            }
            ui.separator();
            let undo_label = lang.pick("撤销", "Undo");
            if ui
                .add_enabled(!self.undo_stack.is_empty(), egui::Button::new(undo_label))
                .on_hover_text(
                    lang.pick("撤销上一次修改（Ctrl+Z）", "Undo the last change (Ctrl+Z)"),
                )
                .clicked()
            {
                actions.push(Action::Undo);
            }
            let selected = self.screen == Screen::Settings;
            if self.snapshot().is_some_and(|s| s.village_count > 1) {
                let selected = self.screen == Screen::County;
                if ui
                    .selectable_label(selected, lang.pick("全县汇总", "County"))
                    .clicked()
                    && !selected
                {
                    actions.push(Action::Navigate(Screen::County));
                }
            }
            let syncing = self.screen == Screen::Sync;
            if ui
                .selectable_label(syncing, lang.pick("数据同步", "Sync"))
                .clicked()
                && !syncing
            {
                actions.push(Action::Navigate(Screen::Sync));
            }
            if ui
                .selectable_label(selected, lang.pick("设置", "Settings"))
                .clicked()
                && !selected
            {
                actions.push(Action::Navigate(Screen::Settings));
            }
            let (other, label) = match lang {
                Lang::Zh => (Lang::En, "English"),
                Lang::En => (Lang::Zh, "中文"),
            };
            if ui.button(label).clicked() {
                actions.push(Action::SetLanguage(other));
            }
        });
    }

    fn notice_ui(&mut self, ui: &mut egui::Ui) {
        let lang = self.prefs.lang;
        let Some(notice) = &self.notice else { return };
        let (text, color) = match notice {
            Notice::Saved => (lang.pick("已保存", "Saved").to_string(), OK_GREEN),
            Notice::Flagged(reasons) => (
                format!(
                    "{}{}",
                    lang.pick(
                        "已保存。该户已标记为脱贫不稳定户：",
                        "Saved. The household is now monitored as exited but unstable: "
                    ),
                    reasons
                        .iter()
                        .map(|r| r.localize(lang))
                        .collect::<Vec<_>>()
                        .join(lang.pick("；", "; "))
                ),
                super::widgets::WARN_AMBER,
            ),
            Notice::Undone => (
                lang.pick("已撤销上一次修改", "Last change undone")
                    .to_string(),
                OK_GREEN,
            ),
            Notice::Error(e) => (e.localize(lang), ERROR_RED),
            Notice::Done(text) => (text.clone(), OK_GREEN),
            Notice::Failed(text) => (text.clone(), ERROR_RED),
            Notice::FileError { path, message } => (
                match lang {
                    Lang::Zh => {
                        format!("无法读取文件 {}：{message}。未做任何改动。", path.display())
                    }
                    Lang::En => format!(
                        "Cannot read {}: {message}. Nothing was changed.",
                        path.display()
                    ),
                },
                ERROR_RED,
            ),
            Notice::ChartSaved(path) => (
                format!(
                    "{}{}",
                    lang.pick("图表已保存：", "Chart saved: "),
                    path.display()
                ),
                OK_GREEN,
            ),
            Notice::ChartError(e) => (e.localize(lang), ERROR_RED),
            Notice::Printed(path) => (
                format!(
                    "{}{}",
                    lang.pick("已生成 PDF：", "PDF written: "),
                    path.display()
                ),
                OK_GREEN,
            ),
            Notice::PrintFailed(e) => (e.localize(lang), ERROR_RED),
        };
        ui.horizontal(|ui| {
            ui.label(RichText::new(text).color(color));
            if ui.small_button("×").clicked() {
                self.notice = None;
            }
        });
    }

    fn demo_banner_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let lang = self.prefs.lang;
        let in_demo = self
            .snapshot()
            .and_then(|s| s.village.as_ref())
            .is_some_and(|v| v.is_demo);
        if !in_demo || self.screen == Screen::VillageSetup {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(lang.pick(
                "这是演示村：数据是生成的示例（按2020年底的情况评估），可随意试用。准备好后请创建您的村。",
                "This is a demo village with generated data (assessed as at the end of 2020): try anything. When ready, create your own village.",
            )).color(super::widgets::WARN_AMBER));
            if ui.button(lang.pick("创建我的村", "Create my village")).clicked() {
                actions.push(Action::Navigate(Screen::VillageSetup));
            }
        });
    }
}

/// Today's date on this computer.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Opens the database the app should show: `db` if given; else the village database in the data
/// directory; else the demo database (generated on first start).
fn open_workspace(data_dir: &Path, db: Option<&Path>) -> Result<Workspace, StoreError> {
    let store = match db {
        Some(path) => Store::open_or_create(path)?,
        None => {
            let village_db = data_dir.join(VILLAGE_DB);
            if village_db.exists() {
                Store::open(&village_db)?
            } else {
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
                store
            }
        }
    };
    let snapshot = VillageSnapshot::load(&store, today())?;
    Ok(Workspace { store, snapshot })
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        let lang = self.prefs.lang;
        self.poll_job();
        if self.job.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }

        if ui.input(|i| i.modifiers.command && i.key_pressed(egui::Key::Z))
            && !ui.ctx().egui_wants_keyboard_input()
        {
            actions.push(Action::Undo);
        }

        egui::Panel::top("toolbar").show(ui, |ui| {
            self.toolbar_ui(ui, &mut actions);
            self.demo_banner_ui(ui, &mut actions);
            self.notice_ui(ui);
        });

        egui::CentralPanel::default().show(ui, |ui| match &self.workspace {
            Err(e) => {
                ui.heading(lang.pick("无法打开数据", "Cannot open the data"));
                ui.label(RichText::new(e.localize(lang)).color(ERROR_RED));
                ui.label(lang.pick(
                    "可以新建一个村（数据将保存在默认数据目录），或用 --db 指定另一个文件重新启动。",
                    "You can create a new village (stored in the default data directory), or restart with --db pointing to another file.",
                ));
                if self.screen == Screen::VillageSetup {
                    actions.extend(self.village_setup.ui(ui, lang, None));
                } else if ui.button(lang.pick("新建村", "Create a village")).clicked() {
                    actions.push(Action::Navigate(Screen::VillageSetup));
                }
            }
            Ok(workspace) => {
                let snapshot = &workspace.snapshot;
                let new_actions = match self.screen {
                    Screen::Households => self.list.ui(ui, lang, snapshot),
                    Screen::Household(_) | Screen::NewHousehold => {
                        self.household.ui(ui, lang, snapshot, self.prefs.show_sensitive)
                    }
                    Screen::Checks => self.checks.ui(ui, lang, snapshot),
                    Screen::Village => self.village.ui(ui, lang, snapshot),
                    Screen::Precisions => self.precisions.ui(ui, lang, snapshot),
                    Screen::Registers => self.registers.ui(ui, lang, snapshot),
                    Screen::Settings => self.settings.ui(ui, lang, snapshot),
                    Screen::County => self.county.ui(
                        ui,
                        lang,
                        self.county_rows.as_deref(),
                        self.job.as_ref(),
                        snapshot.thresholds.max_incidence,
                    ),
                    Screen::Sync => self.sync.ui(
                        ui,
                        lang,
                        self.sync_view.as_ref(),
                        self.job.as_ref(),
                    ),
                    Screen::Spreadsheets => self.spreadsheets.ui(
                        ui,
                        lang,
                        snapshot,
                        self.checked_survey.as_ref(),
                        self.job.as_ref(),
                    ),
                    Screen::Charts => self.charts.ui(ui, lang, snapshot),
                    Screen::VillageSetup => self.village_setup.ui(ui, lang, snapshot.village.as_ref()),
                };
                actions.extend(new_actions);
            }
        });

        self.photo_ui(ui, &mut actions);

        for action in actions {
            self.apply(action);
        }
    }
}
