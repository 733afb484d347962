//! The window's background jobs: started from an action (one at a time), polled every frame,
//! and their outcome taken in — a written survey or merged bundles count as a data change.

use std::path::PathBuf;

use super::App;
use crate::i18n::{Lang, Localize};
use crate::ui::jobs::{Job, JobOutcome};
use crate::ui::notice::Notice;

impl App {
    /// Starts a background job on this database file (unless one is running).
    pub(super) fn start_job(&mut self, start: impl FnOnce(PathBuf, Lang) -> Job) {
        let Ok(session) = &self.session else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        self.job = Some(start(session.store.path().to_path_buf(), self.prefs.lang));
    }

    /// Starts a job that writes `path` (a file or a folder), offered to open when it is done.
    pub(super) fn start_saving_job(
        &mut self,
        path: PathBuf,
        start: impl FnOnce(PathBuf, Lang) -> Job,
    ) {
        if self.job.is_none() {
            self.saving = Some(path);
            self.start_job(start);
        }
    }

    pub(super) fn start_county_overview(&mut self) {
        let today = self.clock_today;
        self.start_job(|db, lang| Job::county_overview(db, today, lang));
    }

    pub(super) fn check_survey_file(&mut self, file: PathBuf) {
        let Some(view) = self.view() else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        // Checked at the village's evaluation date, as its forms check (the demo's is fixed).
        let job = Job::check_survey(
            file,
            view.village.clone(),
            view.records.clone(),
            view.today,
            self.prefs.lang,
        );
        self.screens.checked_survey = None;
        self.job = Some(job);
    }

    pub(super) fn commit_survey(&mut self) {
        let Some(today) = self.view().map(|v| v.today) else {
            return;
        };
        let Some(checked) = &self.screens.checked_survey else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        // The button is disabled then; this guards the action itself (all or nothing).
        if let Some(refusal) = checked.refusal() {
            self.notice.set(Notice::failed(&refusal, self.prefs.lang));
            return;
        }
        let Some(checked) = self.screens.checked_survey.take() else {
            return;
        };
        let actor = self.actor();
        self.start_job(|db, lang| Job::commit_survey(db, checked, today, actor, lang));
    }

    /// Takes in the result of the background job once it is there.
    pub(super) fn poll_job(&mut self) {
        let Some(outcome) = self.job.as_ref().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        let lang = self.prefs.lang;
        let saved = self.saving.take();
        let done = |text: String| match saved {
            Some(path) => Notice::Saved { text, path },
            None => Notice::Done(text),
        };
        match outcome {
            JobOutcome::Checked(checked) => self.screens.checked_survey = Some(checked),
            JobOutcome::Committed(written) => {
                if let Ok(session) = &mut self.session {
                    session.remember(written.summary.change);
                }
                self.refresh();
                self.after_change(Notice::Done(written.localize(lang)));
            }
            JobOutcome::BundlesImported(read) => {
                self.refresh();
                // Some bundles of the run refused: the merged ones are in, the refusals said.
                let notice = if read.1.is_empty() {
                    Notice::Done(read.localize(lang))
                } else {
                    Notice::Failed(read.localize(lang))
                };
                self.after_change(notice);
            }
            JobOutcome::Synced(synced) => {
                self.refresh();
                self.after_change(Notice::Done(synced.localize(lang)));
            }
            JobOutcome::Exported(report) => self.notice.set(done(report.localize(lang))),
            JobOutcome::BundleExported(written) => {
                let mut text = written.localize(lang);
                if let Some(warning) = written.warning(lang) {
                    text.push_str(lang.pick("。", ". "));
                    text.push_str(warning);
                }
                self.notice.set(done(text));
                self.load_sync_view();
            }
            JobOutcome::CountyOverview(tree) => self.screens.county_tree = Some(tree),
            JobOutcome::ReturnsWritten(written) => self.notice.set(done(written.localize(lang))),
            JobOutcome::BackedUp(written) => {
                self.notice.set(Notice::Done(match lang {
                    Lang::Zh => format!("已备份到 {}，已校验无误。", written.path.display()),
                    Lang::En => format!("Backed up to {}, verified.", written.path.display()),
                }));
                self.load_sync_view();
            }
            JobOutcome::Restored { from, restored } => {
                self.reopen_after_restore();
                let aside = restored
                    .kept_aside
                    .map(|a| a.display().to_string())
                    .unwrap_or_default();
                self.after_change(Notice::Done(match lang {
                    Lang::Zh => format!("已从 {} 恢复；原数据库已保留为 {aside}。", from.display()),
                    Lang::En => format!(
                        "Restored from {}; the previous database is kept as {aside}.",
                        from.display()
                    ),
                }));
            }
            JobOutcome::Failed(message) => {
                // A refused restore reopens the database it left as it was.
                self.reopen_after_restore();
                self.notice.set(Notice::Failed(message));
            }
        }
    }
}
