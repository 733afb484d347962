//! The window: arranges the toolbar, the notice and the screen shown, and is the one place where
//! the screens' actions are carried out. A data action goes to the workspace's
//! `Session::apply` (the store validates and audits it); afterwards one hook,
//! [`App::after_change`], tells the screens and says what happened in the user's language.

mod background;
mod choosing;
mod files;

use std::path::PathBuf;

use chrono::NaiveDate;
use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::action::{Action, DataAction, Screen};
use super::actor::{ActorChoice, actor_ui};
use super::dialogs::{ChooserMode, SystemDialog, ask_system};
use super::jobs::Job;
use super::notice::{Notice, NoticeSlot};
use super::photo::{OpenedPhoto, photo_ui};
use super::screens::Screens;
use super::toolbar::{ToolbarState, demo_banner_ui, toolbar_ui};
use super::widgets::ERROR_RED;
use super::widgets::file_chooser::FileChooser;
use crate::i18n::{Lang, Localize};
use crate::model::Village;
use crate::store::{Store, StoreError};
use crate::workspace::bundles::SyncView;
use crate::workspace::edit::Applied;
use crate::workspace::export::ExportFormat;
use crate::workspace::session::Session;
use crate::workspace::{Prefs, VillageView, clock_today, paths, survey};

pub struct App {
    data_dir: PathBuf,
    prefs: Prefs,
    session: Result<Session, StoreError>,
    /// The computer's date, read when the app opens and at every refresh (the one clock read).
    clock_today: NaiveDate,
    screen: Screen,
    screens: Screens,
    notice: NoticeSlot,
    /// The photo shown in its own window, read from the store when opened.
    photo: Option<OpenedPhoto>,
    /// The background job (survey check or import, export, bundles, county overview), while it runs.
    job: Option<Job>,
    /// The system's file dialog, or the chooser inside the window.
    chooser_mode: ChooserMode,
    /// The system's dialog (rfd), replaceable in tests.
    system_dialog: SystemDialog,
    /// The in-window chooser, while it is open.
    chooser: Option<FileChooser>,
    /// The folder the last chooser ended in (the next one opens there).
    last_folder: Option<PathBuf>,
    /// What the running job writes, for the notice's 打开文件 / 打开所在文件夹.
    saving: Option<PathBuf>,
    /// The window title last sent to the window.
    title: String,
    /// The backup a restore would put in place, while the window asks to confirm it.
    restore_asked: Option<files::RestoreAsked>,
    /// The database file being restored (closed meanwhile), reopened when the job ends.
    restoring: Option<PathBuf>,
    /// The window's context, for what repaints it from other threads (the sync server's log).
    egui_ctx: egui::Context,
}

impl App {
    /// Builds the app for eframe: installs the CJK font and opens the data.
    /// `data_dir` holds the databases and preferences; `db` overrides the database file.
    pub fn new(cc: &eframe::CreationContext<'_>, data_dir: PathBuf, db: Option<PathBuf>) -> App {
        super::fonts::install(&cc.egui_ctx);
        egui_extras::install_image_loaders(&cc.egui_ctx);
        // A light theme reads better on old laptop screens in a bright village office.
        cc.egui_ctx.set_theme(egui::Theme::Light);
        let mut app = App::open(data_dir, db);
        app.egui_ctx = cc.egui_ctx.clone();
        app
    }

    /// Shows the window in `lang` when one was asked for on the command line (`--lang en`),
    /// instead of the language saved in the preferences.
    pub fn with_lang(mut self, lang: Option<Lang>) -> App {
        if let Some(lang) = lang
            && lang != self.prefs.lang
        {
            self.prefs.lang = lang;
            // What opening the file found was told in the preferences' language.
            self.tell_device_change();
        }
        self
    }

    /// Opens the data without a window (used by [`App::new`] and the UI tests).
    pub fn open(data_dir: PathBuf, db: Option<PathBuf>) -> App {
        let prefs = Prefs::load(&data_dir);
        let clock_today = clock_today();
        let session = paths::open_default(&data_dir, db.as_deref())
            .and_then(|store| Session::new(store, clock_today));
        let screen = match &session {
            Ok(s) if s.view.is_none() => Screen::VillageSetup,
            _ => Screen::Households,
        };
        let county = session.as_ref().is_ok_and(Session::is_county);
        let mut app = App {
            data_dir,
            prefs,
            session,
            clock_today,
            screen,
            screens: Screens::default(),
            notice: NoticeSlot::default(),
            photo: None,
            job: None,
            chooser_mode: ChooserMode::detect(),
            system_dialog: ask_system,
            chooser: None,
            last_folder: None,
            saving: None,
            title: String::new(),
            restore_asked: None,
            restoring: None,
            egui_ctx: egui::Context::default(),
        };
        // A county database opens on the county; its villages are one click away.
        if county {
            app.navigate(Screen::County);
        }
        app.tell_device_change();
        app
    }

    /// Opens `path` bound to this computer's installation (the data directory's): a file copied
    /// from another laptop becomes a new device here, a restored older file is renumbered.
    fn open_bound(&self, path: &std::path::Path) -> Result<Store, StoreError> {
        let mut store = Store::open(path)?;
        paths::bind(&mut store, &self.data_dir)?;
        Ok(store)
    }

    /// Says, when the open database changed identity on this computer, what happened and (for a
    /// new device) the line to register it with at the county.
    pub(super) fn tell_device_change(&mut self) {
        let lang = self.prefs.lang;
        let Ok(session) = &mut self.session else {
            return;
        };
        match crate::workspace::device::DeviceNotice::of(&mut session.store) {
            Ok(Some(notice)) => self.notice.set(Notice::Warned(notice.localize(lang))),
            Ok(None) => {}
            Err(e) => self.notice.set(Notice::failed(&e, lang)),
        }
    }

    /// The county table as last computed (a county database), for the tests that compare
    /// what is shown with what is exported.
    pub fn county_tree(&self) -> Option<&crate::workspace::county::CountyTree> {
        self.screens.county_tree.as_ref()
    }

    /// The window's title: the village shown and, on a county database, that it is one.
    pub fn window_title(&self) -> String {
        let session = self.session.as_ref().ok();
        let view = session.and_then(|s| s.view.as_ref());
        let lang = self.prefs.lang;
        let mut title = lang
            .pick(
                "Dripline 精准扶贫 · 村级工作台",
                "Dripline · Village Workbench",
            )
            .to_string();
        match session {
            Some(s) if s.is_county() => {
                let county = view.map_or("", |v| v.village.county.as_str());
                title.push_str(&match lang {
                    Lang::Zh => format!(" — {county}县级数据库（{} 个村）", s.villages.len()),
                    Lang::En => format!(
                        " — {county} county database ({} villages)",
                        s.villages.len()
                    ),
                });
                if let Some(v) = view
                    && self.screen != Screen::County
                {
                    title.push_str(&format!(
                        " · {} {}（{}）",
                        v.village.township, v.village.name, v.village.code
                    ));
                }
            }
            _ => {
                if let Some(v) = view {
                    title.push_str(&format!(
                        " — {} {} {}",
                        v.village.county, v.village.township, v.village.name
                    ));
                }
            }
        }
        title
    }

    /// Shows another village of the county database in the village screens.
    fn show_village(&mut self, id: Uuid) {
        let Ok(session) = &mut self.session else {
            return;
        };
        self.clock_today = clock_today();
        match session.show_village(id, self.clock_today) {
            Ok(()) => {
                self.screens.village_switched();
                self.screen = Screen::Households;
            }
            Err(e) => self.notice.set(Notice::failed(&e, self.prefs.lang)),
        }
    }

    /// Lists the households behind a figure of the county table, computed now from the villages
    /// it covers (the table itself holds only their counts).
    fn show_figure_households(
        &mut self,
        figure: crate::rules::figures::HouseholdFigure,
        ids: &[Uuid],
        scope: String,
    ) {
        let Ok(session) = &self.session else {
            return;
        };
        let ids: std::collections::HashSet<&Uuid> = ids.iter().collect();
        let villages: Vec<crate::model::Village> = session
            .villages
            .iter()
            .filter(|v| ids.contains(&v.id))
            .cloned()
            .collect();
        let lang = self.prefs.lang;
        match crate::workspace::county::figure_households(
            &session.store,
            &villages,
            figure,
            self.clock_today,
            lang,
        ) {
            Ok(entries) => self
                .screens
                .county
                .show_figure_list(super::county::FigureList {
                    figure,
                    scope,
                    entries,
                }),
            Err(e) => self.notice.set(Notice::failed(&e, lang)),
        }
    }

    pub fn lang(&self) -> Lang {
        self.prefs.lang
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The village being shown (the first of the database until another is chosen).
    pub fn village_id(&self) -> Option<Uuid> {
        self.session.as_ref().ok().and_then(Session::village_id)
    }

    /// Charts drawn into textures so far, on the charts screen and the household charts tab
    /// (tests use it to show that frames reuse textures and data changes redraw).
    pub fn chart_renders(&self) -> u64 {
        self.screens.charts.renders() + self.screens.household.chart_renders()
    }

    /// The open store, if the data could be opened (for tests and the status line).
    pub fn store(&self) -> Option<&Store> {
        self.session.as_ref().ok().map(|s| &s.store)
    }

    /// True while a background job runs.
    pub fn job_running(&self) -> bool {
        self.job.is_some()
    }

    /// The names of the shown village's work team, each once, in the register's order.
    fn team_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        if let Some(view) = self.view() {
            for member in &view.workflow.team {
                if !names.contains(&member.name) {
                    names.push(member.name.clone());
                }
            }
        }
        names
    }

    /// The member working, as remembered on this installation, if they are on the shown
    /// village's team (a remembered name from another village's team is not used).
    pub fn actor(&self) -> Option<String> {
        if self.is_county() {
            return self.prefs.county_actor.clone();
        }
        let chosen = self.prefs.actor.as_ref()?;
        self.team_names().contains(chosen).then(|| chosen.clone())
    }

    /// Names the working member (or nobody) as the store's actor before anything is written.
    fn sync_actor(&mut self) {
        let actor = self.actor();
        if let Ok(session) = &mut self.session {
            let name = actor.as_deref().unwrap_or(crate::store::UNKNOWN_ACTOR);
            if session.store.actor() != name {
                session.store.set_actor(name);
            }
        }
    }

    /// Carries out one action.
    pub fn apply(&mut self, action: impl Into<Action>) {
        let lang = self.prefs.lang;
        self.sync_actor();
        match action.into() {
            Action::Navigate(screen) => self.navigate(screen),
            Action::OpenRegister(tab) => {
                self.navigate(Screen::Registers);
                self.screens.registers.show(tab);
            }
            Action::OpenSurvey(id) => {
                self.navigate(Screen::Household(id));
                if self.screen == Screen::Household(id) {
                    self.screens.household.show_survey_tab();
                }
            }
            Action::SetLanguage(lang) => {
                self.prefs.lang = lang;
                self.save_prefs();
            }
            Action::SetShowSensitive(show) => {
                self.prefs.show_sensitive = show;
                self.save_prefs();
            }
            Action::ChooseActor(name) => {
                if self.is_county() {
                    self.prefs.county_actor =
                        name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                } else {
                    self.prefs.actor = name;
                }
                self.save_prefs();
                self.sync_actor();
            }
            Action::OpenPhoto(id) => self.open_photo(id),
            Action::ClosePhoto => self.photo = None,
            Action::LoadChartVillages(ids) => {
                if let Ok(session) = &self.session
                    && let Err(e) = self.screens.charts.load_villages(
                        &session.store,
                        session.generation,
                        &ids,
                        self.clock_today,
                    )
                {
                    self.notice.set(Notice::failed(&e, lang));
                }
            }
            Action::ShowVillage(id) => self.show_village(id),
            Action::ShowFigureHouseholds {
                figure,
                villages,
                scope,
            } => self.show_figure_households(figure, &villages, scope),
            Action::DiscardSurvey => self.screens.checked_survey = None,
            Action::ChooseFile(request) => self.choose_file(request),
            Action::OpenWithSystem(path) => self.open_with_system(&path),
            Action::SaveChart { chart, path } => self.save_chart(chart, path),
            Action::PrintHousehold {
                household,
                kind,
                path,
            } => self.print_household(household, kind, &path),
            Action::PrintNotice { path, xlsx } => self.print_notice(&path, xlsx),
            Action::WriteSurveyTemplate(path) => {
                self.notice
                    .set(match crate::io::survey::write_template(&path) {
                        Ok(()) => Notice::Saved {
                            text: survey::template_written(&path, lang),
                            path,
                        },
                        Err(e) => Notice::failed(&e, lang),
                    });
            }
            Action::Backup(dir) => self.backup(&dir),
            Action::Restore(file) => self.ask_restore(file),
            Action::ConfirmRestore => self.restore(),
            Action::CancelRestore => self.restore_asked = None,
            Action::CheckSurveyFile(path) => self.check_survey_file(path),
            Action::CommitSurvey => self.commit_survey(),
            Action::Export {
                out,
                xlsx,
                full_ids,
            } => {
                let format = if xlsx {
                    ExportFormat::Xlsx
                } else {
                    ExportFormat::CsvFolder
                };
                let today = self.clock_today;
                // The village shown: on a county database, the one the clerk works on.
                let village = self.village_id();
                self.start_saving_job(out.clone(), |db, lang| {
                    Job::export(db, village, out, format, full_ids, today, lang)
                });
            }
            Action::ExportBundle { path, full } => {
                let path = super::sync::bundle_path(path);
                self.start_saving_job(path.clone(), |db, lang| {
                    Job::export_bundle(db, path, full, lang)
                })
            }
            Action::ImportBundles(files) => {
                self.start_job(|db, lang| Job::import_bundles(db, files, lang))
            }
            Action::SyncNow => self.start_job(Job::sync_now),
            Action::StartServer { listen, url } => self.start_server(&listen, url),
            Action::StopServer => self.screens.server = None,
            Action::WriteReturnBundles(dir) => {
                self.start_saving_job(dir.clone(), |db, lang| Job::write_returns(db, dir, lang))
            }
            Action::WriteCountyReport(path) => self.write_county_report(&path),
            Action::ComputeCountyOverview => self.start_county_overview(),
            Action::Data(action) => self.apply_data(action),
            Action::AddVisitPhoto { visit_id, path } => match std::fs::read(&path) {
                Ok(bytes) => {
                    let file_name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    self.apply_data(DataAction::AttachPhoto {
                        visit_id,
                        file_name,
                        bytes,
                    });
                }
                Err(e) => self.notice.set(Notice::FileError {
                    path,
                    message: e.to_string(),
                }),
            },
            Action::CreateVillage(village, passphrase) => self.create_village(village, passphrase),
            Action::Unlock(passphrase) => self.unlock(passphrase),
            Action::ChangePassphrase { old, new } => self.change_passphrase(&old, &new),
            Action::EncryptNow(passphrase) => self.encrypt_now(passphrase),
            Action::Undo => self.undo(),
        }
    }

    /// A change of the data, through the session (and the store's audit log).
    fn apply_data(&mut self, action: DataAction) {
        let Ok(session) = &mut self.session else {
            return;
        };
        self.clock_today = clock_today();
        // A township's facts change no village's figures: the county table stays.
        let keep_county = matches!(action, DataAction::SaveTownshipFacilities(_));
        match session.apply(action, self.clock_today) {
            // A draft saved while typing: no message, no undo step, no form closes.
            Ok(Applied::Autosaved) => {}
            Ok(applied) => {
                let created = match applied {
                    Applied::Created(id) => Some(id),
                    _ => None,
                };
                let county_tree = keep_county
                    .then(|| self.screens.county_tree.take())
                    .flatten();
                self.after_change(Notice::Applied(applied));
                if keep_county {
                    self.screens.county_tree = county_tree;
                }
                if self.screen == Screen::NewHousehold
                    && let Some(id) = created
                {
                    self.navigate(Screen::Household(id));
                    self.screens.household.show_members_tab();
                }
            }
            Err(e) => self.notice.set(Notice::failed(&e, self.prefs.lang)),
        }
    }

    /// The one hook after the data changed (the session's view is fresh already): the screens
    /// reset their forms, a household that is gone closes, the sync screen reads its state again.
    fn after_change(&mut self, notice: Notice) {
        self.notice.set(notice);
        let Ok(session) = &self.session else {
            return;
        };
        self.screens.data_changed(session, self.screen);
        if let Screen::Household(id) = self.screen
            && session.view.as_ref().and_then(|v| v.record(id)).is_none()
        {
            self.screen = Screen::Households;
        }
        if self.screen == Screen::Sync {
            self.load_sync_view();
        }
    }

    /// Reads the view again (the clock too) after a change made outside `Session::apply`.
    fn refresh(&mut self) {
        self.clock_today = clock_today();
        if let Ok(session) = &mut self.session
            && let Err(e) = session.refresh(self.clock_today)
        {
            self.notice.set(Notice::failed(&e, self.prefs.lang));
        }
    }

    fn undo(&mut self) {
        let Ok(session) = &mut self.session else {
            return;
        };
        self.clock_today = clock_today();
        match session.undo(self.clock_today) {
            Ok(undone) => {
                // A township's facts change no village's figures: the county table stays.
                let county_tree = undone
                    .county_data_only
                    .then(|| self.screens.county_tree.take())
                    .flatten();
                self.after_change(Notice::Undone);
                if county_tree.is_some() {
                    self.screens.county_tree = county_tree;
                }
            }
            Err(e) => self.notice.set(Notice::failed(&e, self.prefs.lang)),
        }
    }

    /// Registers a real village. From the demo (or when nothing could be opened) the village goes
    /// into a new database of its own in the data directory and the app switches to it; otherwise
    /// it goes into the open database.
    fn create_village(&mut self, village: Village, passphrase: Option<String>) {
        let in_demo = self.view().is_some_and(|v| v.village.is_demo);
        // `dripline --db new.sqlite` opens an empty file made for it: the passphrase the team
        // typed encrypts that file before its first record, as it does for a database made in
        // the data directory (it used to be ignored, leaving the new village in the clear).
        let empty_cleartext = self
            .session
            .as_ref()
            .is_ok_and(|s| s.view.is_none() && !s.store.is_encrypted());
        if !in_demo
            && empty_cleartext
            && let Some(passphrase) = passphrase.clone()
        {
            self.encrypt_now(passphrase);
            if !self.session.as_ref().is_ok_and(|s| s.store.is_encrypted()) {
                return;
            }
        }
        self.clock_today = clock_today();
        let clock_today = self.clock_today;
        let result = match &mut self.session {
            Ok(session) if !in_demo => session
                .store
                .save_village(&village)
                .and_then(|_| session.refresh(clock_today))
                .map(|()| None),
            _ => {
                // The new database is encrypted with the team's passphrase (and so are the
                // device keys made in it); background jobs open it with the same.
                let opened = Store::open_or_create_with(
                    &paths::village_db(&self.data_dir),
                    passphrase.as_deref(),
                );
                if opened.as_ref().is_ok_and(Store::is_encrypted) {
                    crate::store::cipher::set_process_passphrase(passphrase);
                }
                opened
            }
            .and_then(|mut store| {
                store.save_village(&village)?;
                Session::new(store, clock_today).map(Some)
            }),
        };
        match result {
            Ok(new_session) => {
                if let Some(session) = new_session {
                    self.session = Ok(session);
                }
                self.screen = Screen::Households;
                self.after_change(Notice::Applied(Applied::Saved));
            }
            Err(e) => self.notice.set(Notice::failed(&e, self.prefs.lang)),
        }
    }

    /// Starts the county's sync server on the open (county) database; a bad address or a port
    /// in use is said, and nothing starts.
    fn start_server(&mut self, listen: &str, url: Option<String>) {
        let lang = self.prefs.lang;
        let Ok(session) = &self.session else {
            return;
        };
        let Ok(listen) = listen.parse::<std::net::SocketAddr>() else {
            self.notice.set(Notice::Failed(match lang {
                Lang::Zh => format!("监听地址不对：{listen}。应写成 地址:端口，例如 0.0.0.0:8443。"),
                Lang::En => {
                    format!("Not a listen address: {listen}. Write it as ADDRESS:PORT, e.g. 0.0.0.0:8443.")
                }
            }));
            return;
        };
        let db = session.store.path().to_path_buf();
        match super::serve::ServerPanel::start(&db, listen, url, self.egui_ctx.clone()) {
            Ok(panel) => self.screens.server = Some(panel),
            Err(e) => self.notice.set(Notice::Failed(e.localize(lang))),
        }
    }

    /// Opens the encrypted database the window could not open with `passphrase`; a wrong one
    /// leaves the prompt (saying so) and nothing changed.
    fn unlock(&mut self, passphrase: String) {
        let path = match &self.session {
            Err(StoreError::NeedsPassphrase { path } | StoreError::WrongPassphrase { path }) => {
                path.clone()
            }
            _ => return,
        };
        crate::store::cipher::set_process_passphrase(Some(passphrase));
        self.clock_today = clock_today();
        let clock_today = self.clock_today;
        match self
            .open_bound(&path)
            .and_then(|store| Session::new(store, clock_today))
        {
            Ok(session) => {
                let county = session.is_county();
                self.screen = if session.view.is_none() {
                    Screen::VillageSetup
                } else {
                    Screen::Households
                };
                self.session = Ok(session);
                if county {
                    self.navigate(Screen::County);
                }
                self.tell_device_change();
            }
            Err(e) => {
                crate::store::cipher::set_process_passphrase(None);
                self.session = Err(e);
            }
        }
    }

    /// 更改口令: `old` must be the passphrase in use; the database is re-encrypted with `new`.
    fn change_passphrase(&mut self, old: &str, new: &str) {
        let lang = self.prefs.lang;
        let Ok(session) = &mut self.session else {
            return;
        };
        let path = session.store.path().to_path_buf();
        let result = if crate::store::cipher::process_passphrase().as_deref() != Some(old) {
            Err(StoreError::WrongPassphrase { path })
        } else {
            session.store.change_passphrase(new)
        };
        match result {
            Ok(()) => {
                crate::store::cipher::set_process_passphrase(Some(new.to_string()));
                self.notice.set(Notice::Applied(Applied::Saved));
            }
            Err(e) => self.notice.set(Notice::failed(&e, lang)),
        }
    }

    /// Encrypts the open database in place ([`crate::store::cipher::encrypt_file`]: the original
    /// stays until the encrypted copy is verified) and reopens it; on failure the original is
    /// reopened as it was.
    fn encrypt_now(&mut self, passphrase: String) {
        let lang = self.prefs.lang;
        let Ok(session) = &self.session else {
            return;
        };
        let path = session.store.path().to_path_buf();
        // The sync server's connections and the session's are closed first: the encryption
        // replaces the file.
        self.screens.server = None;
        self.session = Err(StoreError::NeedsPassphrase { path: path.clone() });
        let encrypted = crate::store::cipher::encrypt_file(&path, &passphrase);
        if encrypted.is_ok() {
            crate::store::cipher::set_process_passphrase(Some(passphrase));
        }
        self.clock_today = clock_today();
        let clock_today = self.clock_today;
        self.session = self
            .open_bound(&path)
            .and_then(|store| Session::new(store, clock_today));
        match encrypted {
            Ok(()) => self.after_change(Notice::Applied(Applied::Saved)),
            Err(e) => self.notice.set(Notice::failed(&e, lang)),
        }
    }

    fn navigate(&mut self, screen: Screen) {
        let screens = &mut self.screens;
        match screen {
            Screen::Household(id) => {
                let Some(record) = self
                    .session
                    .as_ref()
                    .ok()
                    .and_then(|s| s.view.as_ref()?.record(id))
                else {
                    return;
                };
                screens.household.open(record);
            }
            Screen::NewHousehold => {
                let Some(view) = self.session.as_ref().ok().and_then(|s| s.view.as_ref()) else {
                    return;
                };
                screens.household.start_new(view.village.id, &view.records);
            }
            Screen::VillageSetup => screens.village_setup = Default::default(),
            Screen::Village => screens.village.reset(),
            Screen::Registers => screens.registers.reset(),
            Screen::Settings => screens.settings.reset(),
            Screen::Sync => {
                self.screen = screen;
                self.load_sync_view();
            }
            Screen::County => {
                if self.screens.county_tree.is_none() {
                    self.start_county_overview();
                }
            }
            Screen::Households
            | Screen::Checks
            | Screen::Precisions
            | Screen::Monitoring
            | Screen::Spreadsheets
            | Screen::Charts => {}
        }
        self.screens.entered();
        self.screen = screen;
    }

    /// The village shown, if there is one.
    /// What the village screens draw from (the session's view of the shown village).
    /// Whether the open database is a county's (many villages, worked by county staff).
    fn is_county(&self) -> bool {
        self.session.as_ref().is_ok_and(Session::is_county)
    }

    pub fn view(&self) -> Option<&VillageView> {
        self.session.as_ref().ok().and_then(|s| s.view.as_ref())
    }

    fn save_prefs(&mut self) {
        // Preferences are a convenience: failing to write them must not interrupt work.
        let _ = self.prefs.save(&self.data_dir);
    }

    /// Reads what the sync screen shows.
    fn load_sync_view(&mut self) {
        let Ok(session) = &mut self.session else {
            return;
        };
        match SyncView::read(&mut session.store, self.clock_today) {
            Ok(view) => self.screens.sync_view = Some(view),
            Err(e) => self.notice.set(Notice::failed(&e, self.prefs.lang)),
        }
    }
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

        let title = self.window_title();
        if title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }

        egui::Panel::top("toolbar").show(ui, |ui| {
            let session = self.session.as_ref().ok();
            let view = session.and_then(|s| s.view.as_ref());
            let state = ToolbarState {
                lang,
                shown: self.screen,
                village: view.map(|v| &v.village),
                problems: view.map_or(0, |v| v.findings.len()),
                can_undo: session.is_some_and(Session::can_undo),
                county: session.is_some_and(Session::is_county),
            };
            toolbar_ui(ui, &state, &mut actions);
            demo_banner_ui(ui, &state, &mut actions);
            let team = self.team_names();
            let chooser = if self.is_county() {
                ActorChoice::CountyStaff
            } else {
                ActorChoice::Team(&team)
            };
            actor_ui(ui, lang, chooser, self.actor().as_deref(), &mut actions);
            self.notice.ui(ui, lang, &mut actions);
            let unencrypted_real = session.is_some_and(|s| {
                !s.store.is_encrypted() && !s.view.as_ref().is_some_and(|v| v.village.is_demo)
            });
            if unencrypted_real {
                self.screens.encrypt.ui(ui, lang, &mut actions);
            }
            let clashes = session.map_or(0, |s| s.clash_count);
            if clashes > 0 && self.screen != Screen::Sync {
                clash_banner_ui(ui, lang, clashes, &mut actions);
            }
        });

        egui::CentralPanel::default().show(ui, |ui| match &self.session {
            Err(e @ (StoreError::NeedsPassphrase { path } | StoreError::WrongPassphrase { path })) => {
                let wrong = matches!(e, StoreError::WrongPassphrase { .. });
                actions.extend(self.screens.passphrase.ui(ui, lang, path, wrong));
            }
            Err(e) => {
                ui.heading(lang.pick("无法打开数据", "Cannot open the data"));
                ui.label(RichText::new(e.localize(lang)).color(ERROR_RED));
                ui.label(lang.pick(
                    "可以新建一个村（数据将保存在默认数据目录），或用 --db 指定另一个文件重新启动。",
                    "You can create a new village (stored in the default data directory), or restart with --db pointing to another file.",
                ));
                if self.screen == Screen::VillageSetup {
                    actions.extend(self.screens.village_setup.ui(ui, lang, None));
                } else if ui.button(lang.pick("新建村", "Create a village")).clicked() {
                    actions.push(Action::Navigate(Screen::VillageSetup));
                }
            }
            Ok(session) => actions.extend(self.screens.ui(
                ui,
                lang,
                self.screen,
                session,
                self.job.as_ref(),
                self.prefs.show_sensitive,
            )),
        });

        if let Some(photo) = &self.photo {
            photo_ui(ui, lang, photo, &mut actions);
        }
        if let Some(asked) = &self.restore_asked {
            asked.ui(ui, lang, &mut actions);
        }
        self.chooser_ui(ui.ctx());

        for action in actions {
            self.apply(action);
        }
    }
}

/// 编号重复 待处理: said on every screen but the sync screen (where they are resolved), because
/// a clash hides nothing by itself and would otherwise go unnoticed after the import's notice.
fn clash_banner_ui(ui: &mut egui::Ui, lang: Lang, clashes: usize, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(match lang {
                Lang::Zh => format!(
                    "编号重复 {clashes} 处待处理：两台电脑录了同一户编号、同一年的数据或同一个村，两条都已保留。"
                ),
                Lang::En => format!(
                    "{clashes} clash(es) to resolve: two laptops entered one household number, one year's record or the village itself; both records are kept."
                ),
            })
            .color(super::widgets::WARN_AMBER),
        );
        if ui.button(lang.pick("去处理", "Resolve")).clicked() {
            actions.push(Action::Navigate(Screen::Sync));
        }
    });
}
