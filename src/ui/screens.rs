//! Every screen's state between frames, drawn for the screen that fills the window, and told in
//! one call ([`Screens::data_changed`]) when the data changed so that forms close on what is now
//! stored.

use eframe::egui;

use super::action::{Action, Screen};
use super::charts::ChartsScreen;
use super::checks::ChecksScreen;
use super::county::{CountyContext, CountyScreen};
use super::household::HouseholdScreen;
use super::households::HouseholdListScreen;
use super::jobs::Job;
use super::monitoring::MonitoringScreen;
use super::precisions::PrecisionsScreen;
use super::registers::RegistersScreen;
use super::settings::SettingsScreen;
use super::spreadsheets::SpreadsheetsScreen;
use super::sync::SyncScreen;
use super::village::VillageScreen;
use super::village_setup::VillageSetupScreen;
use crate::i18n::Lang;
use crate::workspace::bundles::SyncView;
use crate::workspace::county::CountyTree;
use crate::workspace::session::Session;
use crate::workspace::survey::CheckedSurvey;

#[derive(Default)]
pub struct Screens {
    pub encrypt: super::encrypt_banner::EncryptBanner,
    pub passphrase: super::passphrase::PassphrasePrompt,
    pub list: HouseholdListScreen,
    pub household: HouseholdScreen,
    pub checks: ChecksScreen,
    pub village: VillageScreen,
    pub precisions: PrecisionsScreen,
    pub monitoring: MonitoringScreen,
    pub registers: RegistersScreen,
    pub village_setup: VillageSetupScreen,
    pub charts: ChartsScreen,
    pub spreadsheets: SpreadsheetsScreen,
    pub settings: SettingsScreen,
    pub sync: SyncScreen,
    pub county: CountyScreen,
    /// The county, township by township, with every village's headline figures, once computed.
    pub county_tree: Option<CountyTree>,
    /// What the sync screen shows, read when it opens and after each sync change.
    pub sync_view: Option<SyncView>,
    /// A checked survey file waiting to be accepted or discarded.
    pub checked_survey: Option<CheckedSurvey>,
    /// The county's sync server, while the window runs it.
    pub server: Option<super::serve::ServerPanel>,
    /// Navigations so far: the ids the shown screen is drawn under.
    entries: u64,
}

impl Screens {
    /// After any change of the data (a save, an undo, an import): open forms close or reload
    /// from what is stored, and figures computed from the old data are dropped.
    pub fn data_changed(&mut self, session: &Session, shown: Screen) {
        let record = match shown {
            Screen::Household(id) => session.view.as_ref().and_then(|v| v.record(id)),
            _ => None,
        };
        self.household.reset(record);
        self.monitoring.reset();
        self.village.reset();
        self.registers.reset();
        self.settings.reset();
        self.county_tree = None;
    }

    /// Another village of a county database is shown: what was open of the last one closes;
    /// the county's figures stay.
    pub fn village_switched(&mut self) {
        self.household.reset(None);
        self.monitoring = MonitoringScreen::default();
        self.village.reset();
        self.registers.reset();
        self.settings.reset();
        self.list = HouseholdListScreen::default();
        self.checked_survey = None;
    }

    /// A screen was navigated to: it starts at the top, whatever the last one was scrolled to.
    pub fn entered(&mut self) {
        self.entries = self.entries.wrapping_add(1);
    }

    /// Draws the screen `shown` of `session`. Each navigation draws it under ids of its own, so
    /// no scroll position (nor any other remembered state of a widget) carries from one screen to
    /// the next.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        shown: Screen,
        session: &Session,
        job: Option<&Job>,
        show_sensitive: bool,
    ) -> Vec<Action> {
        let entries = self.entries;
        ui.push_id(("screen", entries), |ui| {
            self.screen_ui(ui, lang, shown, session, job, show_sensitive)
        })
        .inner
    }

    fn screen_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        shown: Screen,
        session: &Session,
        job: Option<&Job>,
        show_sensitive: bool,
    ) -> Vec<Action> {
        let generation = session.generation;
        match (shown, session.view.as_ref()) {
            (Screen::Settings, _) => self.settings.ui(
                ui,
                lang,
                &session.lines,
                &session.thresholds,
                session.store.is_encrypted(),
            ),
            (Screen::County, _) => self.county.ui(
                ui,
                lang,
                &CountyContext {
                    villages: &session.villages,
                    tree: self.county_tree.as_ref(),
                    running: job,
                    thresholds: &session.thresholds,
                    facilities: &session.township_facilities,
                    receipts: &session.bundle_receipts,
                    clock_today: session.clock_today,
                    generation,
                    server: self.server.as_ref(),
                },
            ),
            (Screen::Sync, _) => self.sync.ui(ui, lang, self.sync_view.as_ref(), job),
            (Screen::Spreadsheets, view) => self.spreadsheets.ui(
                ui,
                lang,
                view.map(|v| v.village.id),
                self.checked_survey.as_ref(),
                job,
            ),
            (Screen::VillageSetup, view) => {
                self.village_setup.ui(ui, lang, view.map(|v| &v.village))
            }
            (_, None) => no_village_ui(ui, lang),
            (Screen::Households, Some(view)) => self.list.ui(ui, lang, view),
            (Screen::Household(_) | Screen::NewHousehold, Some(view)) => {
                self.household
                    .ui(ui, lang, view, generation, show_sensitive)
            }
            (Screen::Checks, Some(view)) => {
                self.checks.ui(ui, lang, view, session.audit_chain.as_ref())
            }
            (Screen::Village, Some(view)) => self.village.ui(ui, lang, view),
            (Screen::Precisions, Some(view)) => self.precisions.ui(ui, lang, view),
            (Screen::Monitoring, Some(view)) => {
                // Nobody chosen yet: the person fields start empty, not "unknown".
                let actor = Some(session.store.actor())
                    .filter(|a| *a != crate::store::UNKNOWN_ACTOR)
                    .unwrap_or("");
                self.monitoring.ui(ui, lang, view, actor)
            }
            (Screen::Registers, Some(view)) => self.registers.ui(ui, lang, view),
            (Screen::Charts, Some(view)) => self.charts.ui(ui, lang, view, generation),
        }
    }
}

/// A village screen of a database that holds no village yet.
fn no_village_ui(ui: &mut egui::Ui, lang: Lang) -> Vec<Action> {
    ui.heading(lang.pick("还没有村", "No village yet"));
    ui.label(lang.pick(
        "这个数据文件里还没有村。请先创建本村。",
        "This data file holds no village yet. Create your village first.",
    ));
    if ui
        .button(lang.pick("创建我的村", "Create my village"))
        .clicked()
    {
        vec![Action::Navigate(Screen::VillageSetup)]
    } else {
        Vec::new()
    }
}
