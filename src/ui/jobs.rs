//! Long work off the frame loop: checking or importing a survey file, exporting the registry.
//! A job runs on a worker thread with its own database connection (SQLite in WAL mode lets the
//! window keep reading) and sends one result back; the window polls for it each frame and shows a
//! spinner meanwhile, so a 20,000-row file never freezes the screen.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::i18n::{Lang, Localize};
use crate::io::export;
use crate::io::import::{self, ImportPlan};
use crate::io::survey;
use crate::model::HouseholdRecord;
use crate::store::Store;
use crate::store::import::ImportSummary;
use crate::sync::export::{ExportSummary, export_village};
use crate::sync::import::{ImportReport, import_files};

/// What a job was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum JobKind {
    CheckSurvey,
    CommitSurvey,
    Export,
    ExportBundle,
    ImportBundles,
    CountyOverview,
    WriteReturns,
}

/// What a finished job hands back to the window.
#[derive(Debug)]
pub enum JobOutcome {
    /// A survey file checked against the village: what would be written and every problem.
    Checked { file: PathBuf, plan: ImportPlan },
    /// The checked file written as one undoable change.
    Committed {
        file: PathBuf,
        summary: ImportSummary,
    },
    /// Export finished: the files written and the rows per table.
    Exported {
        files: Vec<PathBuf>,
        rows: Vec<(String, usize)>,
    },
    /// A sync bundle written for the county.
    BundleExported(ExportSummary),
    /// Bundles verified and merged (all in one transaction).
    BundlesImported(Vec<ImportReport>),
    /// Every village of the database with its six precisions' headline figures.
    CountyOverview(Vec<(crate::model::Village, crate::rules::precisions::Headline)>),
    /// Return bundles written, one per village with registered devices; the others are named.
    ReturnsWritten {
        written: Vec<PathBuf>,
        without_devices: Vec<String>,
    },
    /// The job failed; the message is already in the user's language. Nothing was written.
    Failed(String),
}

/// How far a job has come: `done` of `total` steps (0 of 0 until it knows).
#[derive(Debug, Default)]
pub struct JobProgress {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl JobProgress {
    pub fn get(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    fn set(&self, progress: crate::sync::Progress) {
        self.done.store(progress.done, Ordering::Relaxed);
        self.total.store(progress.total, Ordering::Relaxed);
    }
}

/// A running job.
pub struct Job {
    pub kind: JobKind,
    pub progress: Arc<JobProgress>,
    receiver: Receiver<JobOutcome>,
}

impl JobKind {
    /// What the job is doing, for the line beside the spinner.
    pub fn label(&self, lang: Lang) -> &'static str {
        match self {
            JobKind::CheckSurvey => {
                lang.pick("正在逐行检查调查表", "Checking the survey row by row")
            }
            JobKind::CommitSurvey => lang.pick("正在写入调查表", "Writing the survey"),
            JobKind::Export => lang.pick("正在导出表格", "Exporting the spreadsheets"),
            JobKind::ExportBundle => lang.pick("正在导出数据包", "Writing the bundle"),
            JobKind::ImportBundles => {
                lang.pick("正在核验并导入数据包", "Verifying and importing bundles")
            }
            JobKind::CountyOverview => lang.pick("正在汇总各村", "Summing up the villages"),
            JobKind::WriteReturns => lang.pick("正在生成各村返回包", "Writing the return bundles"),
        }
    }
}

impl Job {
    /// The spinner, what the job is doing and, once it knows, how far it has come.
    pub fn running_ui(&self, ui: &mut eframe::egui::Ui, lang: Lang) {
        let (done, total) = self.progress.get();
        ui.horizontal(|ui| {
            ui.spinner();
            let what = self.kind.label(lang);
            if total > 0 {
                ui.label(format!("{what} {done}/{total}"));
                ui.add(
                    eframe::egui::ProgressBar::new(done as f32 / total as f32).desired_width(240.0),
                );
            } else {
                ui.label(format!("{what}…"));
            }
        });
    }

    /// The result, once the worker has sent it.
    pub fn poll(&self) -> Option<JobOutcome> {
        match self.receiver.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(JobOutcome::Failed(
                "the background task stopped unexpectedly / 后台任务意外中止".to_string(),
            )),
        }
    }

    fn spawn(kind: JobKind, work: impl FnOnce() -> JobOutcome + Send + 'static) -> Job {
        Job::spawn_with_progress(kind, |_| work())
    }

    fn spawn_with_progress(
        kind: JobKind,
        work: impl FnOnce(&JobProgress) -> JobOutcome + Send + 'static,
    ) -> Job {
        let (sender, receiver) = mpsc::channel();
        let progress = Arc::new(JobProgress::default());
        let worker_progress = Arc::clone(&progress);
        std::thread::spawn(move || {
            // The window may have been closed meanwhile: nobody to tell, nothing lost.
            let _ = sender.send(work(&worker_progress));
        });
        Job {
            kind,
            progress,
            receiver,
        }
    }

    /// Writes a sync bundle of the village's changes (all of them with `full`).
    pub fn export_bundle(db: PathBuf, out: PathBuf, full: bool, lang: Lang) -> Job {
        Job::spawn_with_progress(JobKind::ExportBundle, move |progress| {
            let result = Store::open(&db)
                .map_err(|e| e.localize(lang))
                .and_then(|mut store| {
                    let summary = export_village(&mut store, &out, full, &mut |p| progress.set(p))
                        .map_err(|e| e.localize(lang))?;
                    store.close().map_err(|e| e.localize(lang))?;
                    Ok(summary)
                });
            match result {
                Ok(summary) => JobOutcome::BundleExported(summary),
                Err(message) => JobOutcome::Failed(message),
            }
        })
    }

    /// Evaluates the six precisions of every village of the database, one village at a time.
    pub fn county_overview(db: PathBuf, lang: Lang) -> Job {
        Job::spawn_with_progress(
            JobKind::CountyOverview,
            move |progress| match county_overview(&db, progress) {
                Ok(rows) => JobOutcome::CountyOverview(rows),
                Err(e) => JobOutcome::Failed(e.localize(lang)),
            },
        )
    }

    /// Writes a return bundle for every village of a county database into `dir`
    /// (`<village code>-return.dripline`); villages with no registered device are skipped.
    pub fn write_returns(db: PathBuf, dir: PathBuf, lang: Lang) -> Job {
        Job::spawn_with_progress(JobKind::WriteReturns, move |progress| {
            match write_returns(&db, &dir, progress) {
                Ok((written, without_devices)) => JobOutcome::ReturnsWritten {
                    written,
                    without_devices,
                },
                Err(e) => JobOutcome::Failed(e.localize(lang)),
            }
        })
    }

    /// Verifies every bundle, then merges them all in one transaction (or none).
    pub fn import_bundles(db: PathBuf, files: Vec<PathBuf>, lang: Lang) -> Job {
        Job::spawn_with_progress(JobKind::ImportBundles, move |progress| {
            let result = Store::open(&db)
                .map_err(|e| e.localize(lang))
                .and_then(|mut store| {
                    let reports = import_files(&mut store, &files, &mut |p| progress.set(p))
                        .map_err(|e| e.localize(lang))?;
                    store.close().map_err(|e| e.localize(lang))?;
                    Ok(reports)
                });
            match result {
                Ok(reports) => JobOutcome::BundlesImported(reports),
                Err(message) => JobOutcome::Failed(message),
            }
        })
    }

    /// Reads and checks a survey file against the village's stored households.
    pub fn check_survey(
        file: PathBuf,
        village_id: Uuid,
        stored: Vec<HouseholdRecord>,
        today: NaiveDate,
        lang: Lang,
    ) -> Job {
        Job::spawn(JobKind::CheckSurvey, move || {
            match survey::read_rows(&file) {
                Ok(rows) => {
                    let plan = import::plan(&rows, village_id, &stored, today);
                    JobOutcome::Checked { file, plan }
                }
                Err(e) => JobOutcome::Failed(e.localize(lang)),
            }
        })
    }

    /// Writes a checked, problem-free plan into the database at `db`.
    pub fn commit_survey(
        db: PathBuf,
        file: PathBuf,
        plan: ImportPlan,
        today: NaiveDate,
        lang: Lang,
    ) -> Job {
        Job::spawn(JobKind::CommitSurvey, move || {
            let result = Store::open(&db)
                .map_err(|e| e.localize(lang))
                .and_then(|mut store| {
                    let summary =
                        import::apply(&mut store, &plan, today).map_err(|e| e.localize(lang))?;
                    store.close().map_err(|e| e.localize(lang))?;
                    Ok(summary)
                });
            match result {
                Ok(summary) => JobOutcome::Committed { file, summary },
                Err(message) => JobOutcome::Failed(message),
            }
        })
    }

    /// Exports the registry to one .xlsx file, or to a folder of .csv files.
    pub fn export(db: PathBuf, out: PathBuf, xlsx: bool, full_ids: bool, lang: Lang) -> Job {
        Job::spawn(JobKind::Export, move || {
            match export_tables(&db, &out, xlsx, full_ids, lang) {
                Ok(outcome) => outcome,
                Err(message) => JobOutcome::Failed(message),
            }
        })
    }
}

fn export_tables(
    db: &Path,
    out: &Path,
    xlsx: bool,
    full_ids: bool,
    lang: Lang,
) -> Result<JobOutcome, String> {
    let store = Store::open(db).map_err(|e| e.localize(lang))?;
    let tables = export::registry_tables(&store, full_ids).map_err(|e| e.localize(lang))?;
    drop(store);
    let files = if xlsx {
        export::write_xlsx(out, &tables).map_err(|e| e.localize(lang))?;
        vec![out.to_path_buf()]
    } else {
        export::write_csv_dir(out, &tables).map_err(|e| e.localize(lang))?
    };
    let rows = tables
        .iter()
        .map(|t| (t.sheet.to_string(), t.rows.len()))
        .collect();
    Ok(JobOutcome::Exported { files, rows })
}

fn county_overview(
    db: &Path,
    progress: &JobProgress,
) -> Result<
    Vec<(crate::model::Village, crate::rules::precisions::Headline)>,
    crate::store::StoreError,
> {
    use crate::rules::plan::CauseAnswers;
    use crate::rules::precisions::{self, PrecisionInputs, SplitHeuristic};
    let store = Store::open(db)?;
    let villages = store.villages()?;
    let lines = store.poverty_lines()?;
    let thresholds = store.thresholds()?;
    let now = chrono::Local::now().date_naive();
    let total = villages.len();
    let mut rows = Vec::with_capacity(total);
    for (done, village) in villages.into_iter().enumerate() {
        progress.set(crate::sync::Progress { done, total });
        let records = store.household_records(Some(village.id))?;
        let workflow = store.village_workflow(village.id)?;
        let evaluated = precisions::evaluate(&PrecisionInputs {
            village: &village,
            records: &records,
            workflow: &workflow,
            lines: &lines,
            thresholds: &thresholds,
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today: crate::demo::evaluation_date(&village, now),
        });
        rows.push((village, evaluated.headline(records.len())));
    }
    Ok(rows)
}

fn write_returns(
    db: &Path,
    dir: &Path,
    progress: &JobProgress,
) -> Result<(Vec<PathBuf>, Vec<String>), crate::sync::SyncError> {
    use crate::sync::{SyncError, county};
    let mut store = Store::open(db)?;
    let villages = store.villages()?;
    let total = villages.len();
    let mut written = Vec::new();
    let mut without_devices = Vec::new();
    for (done, village) in villages.iter().enumerate() {
        progress.set(crate::sync::Progress { done, total });
        let out = dir.join(format!("{}-return.dripline", village.code));
        match county::write_return(&mut store, &village.code, &out, &mut |_| {}) {
            Ok(_) => written.push(out),
            Err(SyncError::NoDevicesForVillage(code)) => {
                without_devices.push(format!("{code} {}", village.name))
            }
            Err(e) => return Err(e),
        }
    }
    store.close()?;
    Ok((written, without_devices))
}
