//! Long work off the frame loop: checking or importing a survey file, exporting, sync bundles,
//! the county overview. A job runs a `workspace` function on a worker thread with its own database
//! connection (SQLite in WAL mode lets the window keep reading) and sends one result back; the
//! window polls for it each frame and shows a spinner meanwhile, so a 20,000-row file never
//! freezes the screen. What a finished job says is the workspace report's, in the user's language.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use chrono::NaiveDate;

use crate::i18n::{Lang, Localize};
use crate::model::{HouseholdRecord, Village};
use crate::store::Store;
use crate::store::backup::{self, BackupWritten, Restored};
use crate::sync::Progress;
use crate::workspace::bundles::{self, BundleWritten, BundlesRead};
use crate::workspace::county::{self, CountyTree, ReturnsWritten};
use crate::workspace::export::{self, ExportFormat, ExportReport};
use crate::workspace::survey::{self, CheckedSurvey, SurveyWritten};

/// What a job was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum JobKind {
    CheckSurvey,
    CommitSurvey,
    Export,
    ExportBundle,
    ImportBundles,
    SyncNow,
    CountyOverview,
    WriteReturns,
    Backup,
    Restore,
}

/// What a finished job hands back to the window.
#[derive(Debug)]
pub enum JobOutcome {
    /// A survey file checked against the village: what would be written and every problem.
    Checked(CheckedSurvey),
    /// The checked file written as one undoable change.
    Committed(SurveyWritten),
    Exported(ExportReport),
    BundleExported(BundleWritten),
    /// Bundles verified and merged, each whole or not at all (and those refused).
    BundlesImported(BundlesRead),
    /// A sync with the county's server done: the bundle sent, the return bundle merged.
    Synced(crate::net::client::Synced),
    /// Every village of the database with its six precisions' headline figures.
    CountyOverview(CountyTree),
    ReturnsWritten(ReturnsWritten),
    /// A verified backup written.
    BackedUp(BackupWritten),
    /// A backup put in place of the database (closed meanwhile), from this file.
    Restored {
        from: PathBuf,
        restored: Restored,
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

    fn set(&self, progress: Progress) {
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
            JobKind::SyncNow => lang.pick("正在与县里同步", "Syncing with the county"),
            JobKind::CountyOverview => lang.pick("正在汇总各村", "Summing up the villages"),
            JobKind::WriteReturns => lang.pick("正在生成各村返回包", "Writing the return bundles"),
            JobKind::Backup => lang.pick("正在备份并校验", "Backing up and verifying"),
            JobKind::Restore => {
                lang.pick("正在校验并恢复备份", "Checking and restoring the backup")
            }
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

    /// Runs `work` on a worker thread; an error is put into words in `lang`.
    fn spawn<E: Localize>(
        kind: JobKind,
        lang: Lang,
        work: impl FnOnce(&mut dyn FnMut(Progress)) -> Result<JobOutcome, E> + Send + 'static,
    ) -> Job {
        let (sender, receiver) = mpsc::channel();
        let progress = Arc::new(JobProgress::default());
        let worker_progress = Arc::clone(&progress);
        std::thread::spawn(move || {
            let outcome = work(&mut |p| worker_progress.set(p))
                .unwrap_or_else(|e| JobOutcome::Failed(e.localize(lang)));
            // The window may have been closed meanwhile: nobody to tell, nothing lost.
            let _ = sender.send(outcome);
        });
        Job {
            kind,
            progress,
            receiver,
        }
    }

    /// Writes a sync bundle of the village's changes (all of them with `full`).
    pub fn export_bundle(db: PathBuf, out: PathBuf, full: bool, lang: Lang) -> Job {
        Job::spawn(JobKind::ExportBundle, lang, move |progress| {
            let store = Store::open(&db)?;
            bundles::export(store, &out, full, progress).map(JobOutcome::BundleExported)
        })
    }

    /// Evaluates the six precisions of every village of the database, one village at a time.
    pub fn county_overview(db: PathBuf, clock_today: NaiveDate, lang: Lang) -> Job {
        Job::spawn(JobKind::CountyOverview, lang, move |progress| {
            let mut store = Store::open(&db)?;
            county::overview(&mut store, clock_today, progress)
                .map(|o| JobOutcome::CountyOverview(CountyTree::build(o.rows)))
        })
    }

    /// Writes a return bundle for every village of a county database into `dir`.
    pub fn write_returns(db: PathBuf, dir: PathBuf, lang: Lang) -> Job {
        Job::spawn(JobKind::WriteReturns, lang, move |progress| {
            let store = Store::open(&db)?;
            county::write_returns(store, &dir, progress).map(JobOutcome::ReturnsWritten)
        })
    }

    /// 备份: a verified copy of the database into `dir`, on a connection of its own (the window
    /// keeps its own open), with the pages copied as progress.
    pub fn backup(db: PathBuf, dir: PathBuf, clock_today: NaiveDate, lang: Lang) -> Job {
        Job::spawn(JobKind::Backup, lang, move |progress| {
            let store = Store::open(&db)?;
            store
                .backup_with_progress(&dir, clock_today, &mut |done, total| {
                    progress(Progress { done, total })
                })
                .map(JobOutcome::BackedUp)
        })
    }

    /// 恢复: puts the backup `file` in place of the database `db`, which the window has closed.
    pub fn restore(db: PathBuf, file: PathBuf, lang: Lang) -> Job {
        Job::spawn(JobKind::Restore, lang, move |_| {
            backup::restore(&db, &file, chrono::Utc::now()).map(|restored| JobOutcome::Restored {
                from: file,
                restored,
            })
        })
    }

    /// Verifies and merges each bundle, each whole or not at all.
    pub fn import_bundles(db: PathBuf, files: Vec<PathBuf>, lang: Lang) -> Job {
        Job::spawn(JobKind::ImportBundles, lang, move |progress| {
            let store = Store::open(&db)?;
            bundles::import(store, &files, progress).map(JobOutcome::BundlesImported)
        })
    }

    /// 同步: one exchange with the county's sync server on a connection of its own (the window
    /// keeps reading its own); the steps as progress.
    pub fn sync_now(db: PathBuf, lang: Lang) -> Job {
        Job::spawn(JobKind::SyncNow, lang, move |progress| {
            let mut store = Store::open(&db)?;
            let options = crate::net::client::SyncOptions::default();
            let synced = crate::net::client::sync_now(&mut store, &options, progress);
            store.close()?;
            synced.map(JobOutcome::Synced)
        })
    }

    /// Reads and checks a survey file against the village's stored households, at the village's
    /// evaluation date.
    pub fn check_survey(
        file: PathBuf,
        village: Village,
        stored: Vec<HouseholdRecord>,
        evaluated_on: NaiveDate,
        lang: Lang,
    ) -> Job {
        Job::spawn(JobKind::CheckSurvey, lang, move |_| {
            survey::check_against(&file, &village, &stored, evaluated_on).map(JobOutcome::Checked)
        })
    }

    /// Writes a checked, problem-free survey into the database at `db`, in the name of `actor`
    /// (the team member working, if one was chosen).
    pub fn commit_survey(
        db: PathBuf,
        checked: CheckedSurvey,
        evaluated_on: NaiveDate,
        actor: Option<String>,
        lang: Lang,
    ) -> Job {
        Job::spawn(JobKind::CommitSurvey, lang, move |_| {
            let mut store = Store::open(&db)?;
            if let Some(actor) = actor {
                store.set_actor(actor);
            }
            let written = survey::commit(&mut store, &checked, evaluated_on)?;
            store.close()?;
            Ok::<_, crate::io::import::ApplyError>(JobOutcome::Committed(written))
        })
    }

    /// Exports the registry and the work records to one .xlsx file, or to a folder of .csv files.
    pub fn export(
        db: PathBuf,
        village: Option<uuid::Uuid>,
        out: PathBuf,
        format: ExportFormat,
        full_ids: bool,
        clock_today: NaiveDate,
        lang: Lang,
    ) -> Job {
        Job::spawn(JobKind::Export, lang, move |_| {
            let store = Store::open(&db)?;
            let tables = export::tables(&store, village, full_ids, clock_today)?;
            drop(store);
            export::write(&out, format, &tables).map(JobOutcome::Exported)
        })
    }
}
