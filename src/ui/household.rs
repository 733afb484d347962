//! One household (or a new one): basic facts and living conditions, members, yearly incomes and
//! the exit checklist 一超六有. Forms validate with the registry rules and show each error next to
//! its field; saving emits an action, so nothing here touches the store.

use chrono::{Datelike, NaiveDate};
use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};
use uuid::Uuid;

use super::app::{Action, Screen, VillageSnapshot};
use super::household_plan::PlanTab;
use super::household_survey::SurveyTab;
use super::household_visits::VisitsTab;
use super::households::status_text;
use super::widgets::{self, ERROR_RED, OK_GREEN, RowChoice, WARN_AMBER, text_row};
use crate::i18n::{Label, Lang, Localize};
use crate::model::*;
use crate::rules::income::IncomeItem;
use crate::rules::registry::{self, Field, FieldError};
use crate::rules::{exit, id_number, income};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Basics,
    Members,
    Incomes,
    Survey,
    Plan,
    Visits,
    Exit,
    Charts,
}

/// Which registration status the status combo shows (the year/kind are edited beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKind {
    NotRegistered,
    Registered,
    Exited,
    Monitored,
}

impl StatusKind {
    const ALL: [StatusKind; 4] = [
        StatusKind::NotRegistered,
        StatusKind::Registered,
        StatusKind::Exited,
        StatusKind::Monitored,
    ];

    fn of(status: HouseholdStatus) -> StatusKind {
        match status {
            HouseholdStatus::NotRegistered => StatusKind::NotRegistered,
            HouseholdStatus::Registered => StatusKind::Registered,
            HouseholdStatus::Exited { .. } => StatusKind::Exited,
            HouseholdStatus::Monitored { .. } => StatusKind::Monitored,
        }
    }
}

impl Label for StatusKind {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            StatusKind::NotRegistered => lang.pick("非贫困户", "Not registered"),
            StatusKind::Registered => lang.pick("建档立卡贫困户", "Registered poor"),
            StatusKind::Exited => lang.pick("已脱贫", "Exited"),
            StatusKind::Monitored => lang.pick("监测户", "Monitored"),
        }
    }
}

/// The household form: the record being edited plus the texts of its number fields.
struct HouseholdForm {
    household: Household,
    status_kind: StatusKind,
    exit_year: String,
    monitored_kind: MonitoredKind,
    arable: String,
    forest: String,
    errors: Vec<FieldError>,
    number_errors: Vec<(Field, String)>,
}

impl HouseholdForm {
    fn of(h: &Household) -> HouseholdForm {
        let (exit_year, monitored_kind) = match h.status {
            HouseholdStatus::Exited { year } => (year.to_string(), MonitoredKind::UnstableExited),
            HouseholdStatus::Monitored { kind } => (String::new(), kind),
            _ => (String::new(), MonitoredKind::Marginal),
        };
        HouseholdForm {
            household: h.clone(),
            status_kind: StatusKind::of(h.status),
            exit_year,
            monitored_kind,
            arable: format_number(h.living.arable_land_mu),
            forest: format_number(h.living.forest_land_mu),
            errors: Vec::new(),
            number_errors: Vec::new(),
        }
    }

    /// The household the form describes, or the errors that stop it being saved.
    fn build(&mut self, lang: Lang) -> Option<Household> {
        self.number_errors.clear();
        let mut h = self.household.clone();
        let number = |text: &str, field: Field, errors: &mut Vec<(Field, String)>| -> f64 {
            widgets::parse_amount(text).unwrap_or_else(|| {
                errors.push((field, widgets::not_a_number(lang).to_string()));
                0.0
            })
        };
        h.living.arable_land_mu = number(&self.arable, Field::ArableLand, &mut self.number_errors);
        h.living.forest_land_mu = number(&self.forest, Field::ForestLand, &mut self.number_errors);
        h.status = match self.status_kind {
            StatusKind::NotRegistered => HouseholdStatus::NotRegistered,
            StatusKind::Registered => HouseholdStatus::Registered,
            StatusKind::Monitored => HouseholdStatus::Monitored {
                kind: self.monitored_kind,
            },
            StatusKind::Exited => match self.exit_year.trim().parse::<i32>() {
                Ok(year) if (2000..=2100).contains(&year) => HouseholdStatus::Exited { year },
                _ => {
                    self.number_errors.push((
                        Field::ExitYear,
                        lang.pick(
                            "请填写脱贫年份（如 2019）",
                            "Enter the exit year (e.g. 2019)",
                        )
                        .to_string(),
                    ));
                    HouseholdStatus::Registered
                }
            },
        };
        self.errors = registry::validate_household(&h);
        (self.errors.is_empty() && self.number_errors.is_empty()).then_some(h)
    }

    fn error(&self, field: Field, lang: Lang) -> Option<String> {
        field_error(&self.errors, &self.number_errors, field, lang)
    }
}

/// The member form. Sex and birth date are not asked for: they are read from the ID number.
struct MemberForm {
    member: Member,
    /// Put the cursor in the first field when the form opens (keyboard-first entry).
    focus_first: bool,
    disability_grade: String,
    migrant_months: String,
    errors: Vec<FieldError>,
    number_errors: Vec<(Field, String)>,
}

impl MemberForm {
    fn new(household_id: Uuid, has_head: bool) -> MemberForm {
        MemberForm::of(&Member::new(
            household_id,
            "",
            "",
            Sex::Male,
            NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date"),
            if has_head {
                Relation::Child
            } else {
                Relation::Head
            },
        ))
    }

    fn of(m: &Member) -> MemberForm {
        MemberForm {
            member: m.clone(),
            focus_first: true,
            disability_grade: m
                .disability_grade
                .map(|g| g.to_string())
                .unwrap_or_default(),
            migrant_months: if m.migrant_months > 0 {
                m.migrant_months.to_string()
            } else {
                String::new()
            },
            errors: Vec::new(),
            number_errors: Vec::new(),
        }
    }

    fn build(&mut self, lang: Lang, today: NaiveDate) -> Option<Member> {
        self.number_errors.clear();
        let mut m = self.member.clone();
        m.id_number = m.id_number.trim().to_ascii_uppercase();
        if let Ok(info) = id_number::validate(&m.id_number, today) {
            m.sex = info.sex;
            m.birth_date = info.birth_date;
        }
        m.disability_grade = if m.health == Health::Disabled {
            match self.disability_grade.trim().parse::<u8>() {
                Ok(g) => Some(g),
                Err(_) if self.disability_grade.trim().is_empty() => None,
                Err(_) => {
                    self.number_errors
                        .push((Field::DisabilityGrade, widgets::not_a_number(lang).into()));
                    None
                }
            }
        } else {
            None
        };
        m.migrant_months = match self.migrant_months.trim() {
            "" => 0,
            text => text.parse::<u8>().unwrap_or_else(|_| {
                self.number_errors
                    .push((Field::MigrantMonths, widgets::not_a_number(lang).into()));
                0
            }),
        };
        self.errors = registry::validate_member(&m, today);
        (self.errors.is_empty() && self.number_errors.is_empty()).then_some(m)
    }

    fn error(&self, field: Field, lang: Lang) -> Option<String> {
        field_error(&self.errors, &self.number_errors, field, lang)
    }
}

/// The income form: one year of income items, typed as text.
struct IncomeForm {
    income: IncomeYear,
    focus_first: bool,
    year: String,
    amounts: [String; 5],
    errors: Vec<FieldError>,
    number_errors: Vec<(Field, String)>,
}

const INCOME_FIELDS: [Field; 5] = [
    Field::Amount(IncomeItem::Wage),
    Field::Amount(IncomeItem::Production),
    Field::Amount(IncomeItem::Property),
    Field::Amount(IncomeItem::Transfer),
    Field::Amount(IncomeItem::ProductionExpense),
];

impl IncomeForm {
    fn of(i: &IncomeYear) -> IncomeForm {
        IncomeForm {
            income: i.clone(),
            focus_first: true,
            year: i.year.to_string(),
            amounts: [
                format_number(i.wage_yuan),
                format_number(i.production_yuan),
                format_number(i.property_yuan),
                format_number(i.transfer_yuan),
                format_number(i.production_expense_yuan),
            ],
            errors: Vec::new(),
            number_errors: Vec::new(),
        }
    }

    fn build(&mut self, lang: Lang, today: NaiveDate) -> Option<IncomeYear> {
        self.number_errors.clear();
        let mut i = self.income.clone();
        match self.year.trim().parse::<i32>() {
            Ok(y) => i.year = y,
            Err(_) => self.number_errors.push((
                Field::Year,
                lang.pick("请填写年份（如 2020）", "Enter the year (e.g. 2020)")
                    .into(),
            )),
        }
        let mut values = [0.0; 5];
        for (k, text) in self.amounts.iter().enumerate() {
            match widgets::parse_amount(text) {
                Some(v) => values[k] = v,
                None => self
                    .number_errors
                    .push((INCOME_FIELDS[k], widgets::not_a_number(lang).into())),
            }
        }
        [
            i.wage_yuan,
            i.production_yuan,
            i.property_yuan,
            i.transfer_yuan,
            i.production_expense_yuan,
        ] = values;
        self.errors = registry::validate_income(&i, today);
        (self.errors.is_empty() && self.number_errors.is_empty()).then_some(i)
    }

    fn error(&self, field: Field, lang: Lang) -> Option<String> {
        field_error(&self.errors, &self.number_errors, field, lang)
    }
}

fn field_error(
    errors: &[FieldError],
    number_errors: &[(Field, String)],
    field: Field,
    lang: Lang,
) -> Option<String> {
    let rule_errors = errors.iter().map(|e| (e.field, e.problem.localize(lang)));
    widgets::errors_beside(
        lang,
        field,
        rule_errors.chain(number_errors.iter().cloned()),
    )
}

fn format_number(v: f64) -> String {
    if v == 0.0 {
        String::new()
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Something waiting for "are you sure?".
#[derive(Debug, Clone, Copy, PartialEq)]
enum PendingDelete {
    Household,
    Member(Uuid),
    Income(Uuid),
}

#[derive(Default)]
pub struct HouseholdScreen {
    /// The household shown; `None` while a new household is being entered.
    household_id: Option<Uuid>,
    tab: Tab,
    form: Option<HouseholdForm>,
    form_dirty: bool,
    member_form: Option<MemberForm>,
    income_form: Option<IncomeForm>,
    pending_delete: Option<PendingDelete>,
    exit_year: Option<i32>,
    plan: PlanTab,
    visits: VisitsTab,
    survey: SurveyTab,
    charts: super::charts::HouseholdChartsTab,
    exit_confirm_date: String,
    exit_confirm_by: String,
}

impl HouseholdScreen {
    /// Shows an existing household.
    pub fn open(&mut self, record: &HouseholdRecord) {
        *self = HouseholdScreen {
            household_id: Some(record.household.id),
            form: Some(HouseholdForm::of(&record.household)),
            ..Default::default()
        };
    }

    /// Starts a new household with the next free household number.
    pub fn start_new(&mut self, village_id: Uuid, records: &[HouseholdRecord]) {
        let next = records
            .iter()
            .filter_map(|r| r.household.number.trim().parse::<u32>().ok())
            .max()
            .map_or(1, |n| n + 1);
        let width = records
            .iter()
            .map(|r| r.household.number.len())
            .max()
            .unwrap_or(3)
            .max(3);
        let household = Household {
            id: Uuid::new_v4(),
            village_id,
            number: format!("{next:0width$}"),
            address: String::new(),
            phone: String::new(),
            bank_account: String::new(),
            attribute: PovertyAttribute::General,
            status: HouseholdStatus::NotRegistered,
            main_cause: None,
            other_causes: Vec::new(),
            living: LivingConditions::default(),
            helper_name: String::new(),
        };
        *self = HouseholdScreen {
            form: Some(HouseholdForm::of(&household)),
            ..Default::default()
        };
    }

    /// Reloads the forms from fresh data, keeping a household form that has unsaved edits.
    pub fn refresh(&mut self, record: &HouseholdRecord) {
        self.household_id = Some(record.household.id);
        if !self.form_dirty {
            self.form = Some(HouseholdForm::of(&record.household));
        }
    }

    /// Called after an action was applied successfully: the open sub-form was saved.
    pub fn saved(&mut self) {
        self.member_form = None;
        self.income_form = None;
        self.pending_delete = None;
        self.form_dirty = false;
        self.plan.saved();
        self.visits.saved();
        self.survey.saved();
    }

    /// Charts drawn by the charts tab so far.
    pub fn chart_renders(&self) -> u64 {
        self.charts.renders()
    }

    pub fn show_members_tab(&mut self) {
        self.tab = Tab::Members;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        snapshot: &VillageSnapshot,
        show_sensitive: bool,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let record = self.household_id.and_then(|id| snapshot.record(id));

        ui.horizontal(|ui| {
            if ui
                .button(lang.pick("← 返回名册", "← Back to list"))
                .clicked()
            {
                actions.push(Action::Navigate(Screen::Households));
            }
            match record {
                Some(r) => {
                    let head = r.head().map(|m| m.name.as_str()).unwrap_or("—");
                    ui.heading(match lang {
                        Lang::Zh => format!("{}号户 · 户主 {head}", r.household.number),
                        Lang::En => format!("Household {} · head {head}", r.household.number),
                    });
                    ui.label(status_text(r.household.status, lang));
                    print_buttons_ui(ui, lang, r, &mut actions);
                }
                None => {
                    ui.heading(lang.pick("新增农户", "New household"));
                }
            }
        });

        let Some(record) = record else {
            // A new household: only the basic form until it has been saved once.
            egui::ScrollArea::vertical()
                .show(ui, |ui| self.basics_ui(ui, lang, true, &mut actions));
            return actions;
        };

        ui.horizontal(|ui| {
            let tabs = [
                (Tab::Basics, lang.pick("基本情况", "Basics").to_string()),
                (
                    Tab::Members,
                    match lang {
                        Lang::Zh => format!("家庭成员（{}）", record.members.len()),
                        Lang::En => format!("Members ({})", record.members.len()),
                    },
                ),
                (Tab::Incomes, lang.pick("收入", "Income").to_string()),
                (Tab::Survey, lang.pick("入户调查", "Survey").to_string()),
                (Tab::Plan, lang.pick("帮扶计划", "Plan").to_string()),
                (Tab::Visits, lang.pick("走访记录", "Visits").to_string()),
                (
                    Tab::Exit,
                    lang.pick("脱贫检查（一超六有）", "Exit check").to_string(),
                ),
                (
                    Tab::Charts,
                    lang.pick("本户图表", "Household charts").to_string(),
                ),
            ];
            for (tab, text) in tabs {
                if ui.selectable_label(self.tab == tab, text).clicked() {
                    self.tab = tab;
                }
            }
            ui.separator();
            let mut show = show_sensitive;
            let label = lang.pick("显示完整证件号和账号", "Show full ID and account numbers");
            if ui.checkbox(&mut show, label).changed() {
                actions.push(Action::SetShowSensitive(show));
            }
        });
        ui.separator();

        egui::ScrollArea::vertical().show(ui, |ui| match self.tab {
            Tab::Basics => {
                self.basics_ui(ui, lang, show_sensitive, &mut actions);
                ui.add_space(12.0);
                self.delete_household_ui(ui, lang, record, &mut actions);
            }
            Tab::Members => self.members_ui(
                ui,
                lang,
                record,
                snapshot.today,
                show_sensitive,
                &mut actions,
            ),
            Tab::Incomes => self.incomes_ui(ui, lang, record, snapshot, &mut actions),
            Tab::Survey => self.survey.ui(ui, lang, record, snapshot, &mut actions),
            Tab::Plan => self.plan.ui(ui, lang, record, snapshot, &mut actions),
            Tab::Visits => self.visits.ui(ui, lang, record, snapshot, &mut actions),
            Tab::Exit => self.exit_ui(ui, lang, record, snapshot, &mut actions),
            Tab::Charts => self.charts.ui(ui, lang, record, snapshot, &mut actions),
        });
        actions
    }

    /// `show_sensitive`: whether the bank account is shown (and editable) in full.
    fn basics_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        show_sensitive: bool,
        actions: &mut Vec<Action>,
    ) {
        let Some(form) = &mut self.form else { return };
        let before = form.household.clone();
        let mut submit = false;
        egui::Grid::new("household_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let e = form.error(Field::HouseholdNumber, lang);
                let r = text_row(
                    ui,
                    lang.pick("户编号", "Household number"),
                    &mut form.household.number,
                    e.as_deref(),
                );
                submit |= entered(ui, &r);
                text_row(
                    ui,
                    lang.pick("住址", "Address"),
                    &mut form.household.address,
                    None,
                );
                let e = form.error(Field::Phone, lang);
                text_row(
                    ui,
                    lang.pick("联系电话", "Phone"),
                    &mut form.household.phone,
                    e.as_deref(),
                );
                let account_label = lang.pick("补贴银行账号", "Bank account for subsidies");
                if show_sensitive {
                    text_row(ui, account_label, &mut form.household.bank_account, None);
                } else {
                    // Sensitive: masked until the user asks to see it in full.
                    ui.label(account_label);
                    ui.monospace(id_number::mask(&form.household.bank_account));
                    ui.end_row();
                }
                widgets::combo_row(
                    ui,
                    lang,
                    lang.pick("贫困户属性", "Poverty attribute"),
                    &mut form.household.attribute,
                    PovertyAttribute::ALL,
                );
                let status_label = ui.label(lang.pick("识别状态", "Status")).id;
                ui.horizontal(|ui| {
                    widgets::combo(
                        ui,
                        lang,
                        status_label,
                        &mut form.status_kind,
                        &StatusKind::ALL,
                    );
                    match form.status_kind {
                        StatusKind::Exited => {
                            let id = ui.label(lang.pick("脱贫年份", "Exit year")).id;
                            ui.add(
                                egui::TextEdit::singleline(&mut form.exit_year).desired_width(60.0),
                            )
                            .labelled_by(id);
                        }
                        StatusKind::Monitored => {
                            let kind_label = ui.label(lang.pick("监测类型", "Kind")).id;
                            widgets::combo(
                                ui,
                                lang,
                                kind_label,
                                &mut form.monitored_kind,
                                MonitoredKind::ALL,
                            );
                        }
                        _ => {}
                    }
                });
                ui.end_row();
                if let Some(e) = form.error(Field::ExitYear, lang) {
                    ui.label("");
                    ui.label(RichText::new(e).color(ERROR_RED));
                    ui.end_row();
                }
                let cause_label = ui.label(lang.pick("主要致贫原因", "Main cause")).id;
                widgets::optional_combo(
                    ui,
                    lang,
                    cause_label,
                    lang.pick("（未填）", "(none)"),
                    &mut form.household.main_cause,
                    Cause::ALL,
                );
                ui.end_row();
                ui.label(lang.pick("其他致贫原因", "Other causes"));
                ui.horizontal_wrapped(|ui| {
                    for cause in Cause::ALL {
                        if Some(*cause) == form.household.main_cause {
                            continue;
                        }
                        let mut on = form.household.other_causes.contains(cause);
                        if ui.checkbox(&mut on, cause.label(lang)).changed() {
                            if on {
                                form.household.other_causes.push(*cause);
                                form.household.other_causes.sort();
                            } else {
                                form.household.other_causes.retain(|c| c != cause);
                            }
                        }
                    }
                });
                ui.end_row();
                ui.label(lang.pick("生活条件", "Living conditions"));
                ui.horizontal_wrapped(|ui| {
                    let l = &mut form.household.living;
                    ui.checkbox(&mut l.housing_safe, lang.pick("住房安全", "Safe housing"));
                    ui.checkbox(
                        &mut l.water_safe,
                        lang.pick("饮水安全", "Safe drinking water"),
                    );
                    ui.checkbox(&mut l.electricity, lang.pick("通生活用电", "Electricity"));
                    ui.checkbox(&mut l.radio_tv, lang.pick("通广播电视", "Radio and TV"));
                    ui.checkbox(
                        &mut l.road_hardened,
                        lang.pick("入户路硬化", "Hardened road to the house"),
                    );
                    ui.checkbox(
                        &mut l.in_cooperative,
                        lang.pick("加入合作社", "In a cooperative"),
                    );
                    ui.checkbox(
                        &mut l.ecommerce_sales,
                        lang.pick("有电商销售", "Sells online"),
                    );
                });
                ui.end_row();
                let e = form.error(Field::ArableLand, lang);
                text_row(
                    ui,
                    lang.pick("耕地面积（亩）", "Arable land (mu)"),
                    &mut form.arable,
                    e.as_deref(),
                );
                let e = form.error(Field::ForestLand, lang);
                text_row(
                    ui,
                    lang.pick("林地面积（亩）", "Forest land (mu)"),
                    &mut form.forest,
                    e.as_deref(),
                );
                let r = text_row(
                    ui,
                    lang.pick("帮扶责任人", "Assigned helper"),
                    &mut form.household.helper_name,
                    None,
                );
                submit |= entered(ui, &r);
            });
        if form.household != before {
            self.form_dirty = true;
        }
        let other: Vec<String> = form
            .errors
            .iter()
            .filter(|e| !matches!(e.field, Field::HouseholdNumber | Field::Phone))
            .map(|e| e.localize(lang))
            .collect();
        for text in other {
            ui.label(RichText::new(text).color(ERROR_RED));
        }
        ui.horizontal(|ui| {
            submit |= ui
                .button(lang.pick("保存基本情况", "Save basics"))
                .clicked();
            if self.form_dirty {
                ui.label(
                    RichText::new(lang.pick("有未保存的修改", "Unsaved changes")).color(WARN_AMBER),
                );
            }
        });
        if submit && let Some(h) = form.build(lang) {
            actions.push(Action::SaveHousehold(h));
        }
    }

    fn delete_household_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        actions: &mut Vec<Action>,
    ) {
        if self.pending_delete == Some(PendingDelete::Household) {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!(
                            "确定删除{}号户及其全部成员和收入记录吗？（可撤销）",
                            record.household.number
                        ),
                        Lang::En => format!(
                            "Delete household {} with all its members and incomes? (can be undone)",
                            record.household.number
                        ),
                    })
                    .color(ERROR_RED),
                );
                if ui.button(lang.pick("确定删除", "Delete")).clicked() {
                    actions.push(Action::DeleteHousehold(record.household.id));
                }
                if ui.button(lang.pick("取消", "Cancel")).clicked() {
                    self.pending_delete = None;
                }
            });
        } else if ui
            .button(lang.pick("删除本户", "Delete this household"))
            .clicked()
        {
            self.pending_delete = Some(PendingDelete::Household);
        }
    }

    fn members_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        today: NaiveDate,
        show_sensitive: bool,
        actions: &mut Vec<Action>,
    ) {
        TableBuilder::new(ui)
            .id_salt("members")
            .striped(true)
            .vscroll(false)
            .column(Column::initial(80.0).at_least(60.0))
            .column(Column::initial(80.0))
            .column(Column::exact(40.0))
            .column(Column::exact(50.0))
            .column(Column::initial(170.0))
            .column(Column::initial(100.0))
            .column(Column::initial(100.0))
            .column(Column::exact(50.0))
            .column(Column::exact(50.0))
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                for text in [
                    lang.pick("姓名", "Name"),
                    lang.pick("与户主关系", "Relation"),
                    lang.pick("性别", "Sex"),
                    lang.pick("年龄", "Age"),
                    lang.pick("身份证号", "ID number"),
                    lang.pick("健康状况", "Health"),
                    lang.pick("劳动能力", "Labour"),
                    lang.pick("在校", "In school"),
                    lang.pick("医保", "Insured"),
                    "",
                ] {
                    header.col(|ui| {
                        ui.strong(text);
                    });
                }
            })
            .body(|mut body| {
                for m in &record.members {
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(&m.name);
                        });
                        row.col(|ui| {
                            ui.label(m.relation.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(m.sex.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(id_number::age_on(m.birth_date, today).to_string());
                        });
                        row.col(|ui| {
                            let shown = if show_sensitive {
                                m.id_number.clone()
                            } else {
                                id_number::mask(&m.id_number)
                            };
                            ui.monospace(shown);
                        });
                        row.col(|ui| {
                            ui.label(m.health.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(m.labour.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(yes_no(m.in_school, lang));
                        });
                        row.col(|ui| {
                            ui.label(yes_no(m.medical_insurance, lang));
                        });
                        row.col(|ui| {
                            match widgets::edit_remove_ui(
                                ui,
                                lang,
                                self.pending_delete == Some(PendingDelete::Member(m.id)),
                            ) {
                                RowChoice::Edit => self.member_form = Some(MemberForm::of(m)),
                                RowChoice::AskRemove => {
                                    self.pending_delete = Some(PendingDelete::Member(m.id))
                                }
                                RowChoice::Remove => actions.push(Action::DeleteMember(m.id)),
                                RowChoice::KeepIt => self.pending_delete = None,
                                RowChoice::Nothing => {}
                            }
                        });
                    });
                }
            });
        ui.add_space(8.0);
        match &mut self.member_form {
            None => {
                if ui
                    .button(lang.pick("＋ 添加成员", "+ Add member"))
                    .clicked()
                {
                    self.member_form = Some(MemberForm::new(
                        record.household.id,
                        record.head().is_some(),
                    ));
                }
            }
            Some(form) => {
                let editing = record.members.iter().any(|m| m.id == form.member.id);
                let mut cancel = false;
                ui.group(|ui| {
                    ui.strong(if editing {
                        lang.pick("修改成员", "Edit member")
                    } else {
                        lang.pick("添加成员", "Add member")
                    });
                    match member_form_ui(ui, lang, form, today) {
                        FormOutcome::Submit(action) => actions.push(*action),
                        FormOutcome::Cancel => cancel = true,
                        FormOutcome::Stay => {}
                    }
                });
                if cancel {
                    self.member_form = None;
                }
            }
        }
    }

    fn incomes_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let size = record.size();
        ui.label(match lang {
            Lang::Zh => format!("人均纯收入 =（工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营支出）÷ 家庭人口 {size} 人"),
            Lang::En => format!("Per-capita net income = (wage + production + property + transfer − production expenses) ÷ household size {size}"),
        });
        TableBuilder::new(ui)
            .id_salt("incomes")
            .striped(true)
            .vscroll(false)
            .columns(Column::initial(82.0).at_least(60.0), 10)
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                for text in [
                    lang.pick("年份", "Year"),
                    lang.pick("工资性", "Wage"),
                    lang.pick("生产经营性", "Production"),
                    lang.pick("财产性", "Property"),
                    lang.pick("转移性", "Transfer"),
                    lang.pick("经营支出", "Expenses"),
                    lang.pick("纯收入", "Net"),
                    lang.pick("人均", "Per capita"),
                    lang.pick("扶贫标准", "Line"),
                    lang.pick("判定", "Standing"),
                    "",
                ] {
                    header.col(|ui| {
                        ui.strong(text);
                    });
                }
            })
            .body(|mut body| {
                for i in record.incomes.iter().rev() {
                    let figures =
                        income::figures(record, i.year, &snapshot.lines, &snapshot.thresholds);
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(i.year.to_string());
                        });
                        for v in [
                            i.wage_yuan,
                            i.production_yuan,
                            i.property_yuan,
                            i.transfer_yuan,
                            i.production_expense_yuan,
                        ] {
                            row.col(|ui| {
                                ui.label(widgets::yuan(v));
                            });
                        }
                        row.col(|ui| {
                            ui.label(widgets::yuan(income::net_income(i)));
                        });
                        row.col(|ui| {
                            ui.label(
                                figures
                                    .as_ref()
                                    .map(|f| widgets::yuan(f.per_capita_yuan))
                                    .unwrap_or_else(|| "—".into()),
                            );
                        });
                        row.col(|ui| {
                            ui.label(
                                figures
                                    .as_ref()
                                    .map(|f| widgets::yuan(f.line_yuan))
                                    .unwrap_or_else(|| "—".into()),
                            );
                        });
                        row.col(|ui| match &figures {
                            Some(f) => {
                                let color = match f.standing {
                                    income::IncomeStanding::Below => ERROR_RED,
                                    income::IncomeStanding::Marginal => WARN_AMBER,
                                    income::IncomeStanding::Above => OK_GREEN,
                                };
                                ui.label(RichText::new(f.standing.label(lang)).color(color));
                            }
                            None => {
                                ui.label(lang.pick("无标准", "No line"));
                            }
                        });
                        row.col(|ui| {
                            match widgets::edit_remove_ui(
                                ui,
                                lang,
                                self.pending_delete == Some(PendingDelete::Income(i.id)),
                            ) {
                                RowChoice::Edit => self.income_form = Some(IncomeForm::of(i)),
                                RowChoice::AskRemove => {
                                    self.pending_delete = Some(PendingDelete::Income(i.id))
                                }
                                RowChoice::Remove => actions.push(Action::DeleteIncome(i.id)),
                                RowChoice::KeepIt => self.pending_delete = None,
                                RowChoice::Nothing => {}
                            }
                        });
                    });
                }
            });
        ui.add_space(8.0);
        match &mut self.income_form {
            None => {
                if ui
                    .button(lang.pick("＋ 添加年度收入", "+ Add a year's income"))
                    .clicked()
                {
                    let year = record
                        .incomes
                        .iter()
                        .map(|i| i.year + 1)
                        .max()
                        .unwrap_or(snapshot.today.year() - 1);
                    self.income_form = Some(IncomeForm::of(&IncomeYear {
                        id: Uuid::new_v4(),
                        household_id: record.household.id,
                        year,
                        wage_yuan: 0.0,
                        production_yuan: 0.0,
                        property_yuan: 0.0,
                        transfer_yuan: 0.0,
                        production_expense_yuan: 0.0,
                    }));
                }
            }
            Some(form) => {
                let mut cancel = false;
                let sales_yuan = form.year.trim().parse::<i32>().map_or(0.0, |year| {
                    crate::rules::sales::sales_income_yuan(
                        &snapshot.workflow.sales,
                        record.household.id,
                        year,
                    )
                });
                ui.group(
                    |ui| match income_form_ui(ui, lang, form, snapshot.today, sales_yuan) {
                        FormOutcome::Submit(action) => actions.push(*action),
                        FormOutcome::Cancel => cancel = true,
                        FormOutcome::Stay => {}
                    },
                );
                if cancel {
                    self.income_form = None;
                }
            }
        }
    }

    fn exit_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let years: Vec<i32> = record.incomes.iter().map(|i| i.year).rev().collect();
        let Some(&latest) = years.first() else {
            ui.label(RichText::new(lang.pick(
                "还没有收入记录：请先在“收入”页添加年度收入，才能进行脱贫检查。",
                "No income record yet: add a year's income on the Income tab before running the exit check.",
            )).color(WARN_AMBER));
            return;
        };
        let year = self
            .exit_year
            .filter(|y| years.contains(y))
            .unwrap_or(latest);
        ui.horizontal(|ui| {
            let year_label = ui.label(lang.pick("检查年度", "Year assessed")).id;
            egui::ComboBox::from_id_salt("exit_year")
                .selected_text(year.to_string())
                .show_ui(ui, |ui| {
                    for y in &years {
                        if ui.selectable_label(*y == year, y.to_string()).clicked() {
                            self.exit_year = Some(*y);
                        }
                    }
                })
                .response
                .labelled_by(year_label);
        });
        let assessment = exit::assess(
            record,
            year,
            &snapshot.lines,
            &snapshot.thresholds,
            snapshot.today,
        );
        let (verdict, color) = if assessment.passed {
            (
                lang.pick(
                    "达到“一超六有”脱贫标准",
                    "Meets the exit standard (一超六有)",
                ),
                OK_GREEN,
            )
        } else {
            (
                lang.pick(
                    "未达到脱贫标准，原因如下",
                    "Does not meet the exit standard; reasons below",
                ),
                ERROR_RED,
            )
        };
        ui.label(RichText::new(verdict).color(color).strong());
        for item in &assessment.items {
            ui.horizontal_wrapped(|ui| {
                let (mark, color) = if item.passed {
                    ("✓", OK_GREEN)
                } else {
                    ("×", ERROR_RED)
                };
                ui.label(RichText::new(mark).color(color).strong());
                ui.label(item.criterion.label(lang));
            });
            for reason in &item.reasons {
                ui.label(
                    RichText::new(format!("      {}", reason.localize(lang))).color(ERROR_RED),
                );
            }
        }
        ui.separator();
        self.exit_decision_ui(ui, lang, record, snapshot, year, assessment.passed, actions);
    }

    /// Exit is proposed when the checklist passes, then confirmed by the team with a date; the
    /// confirmation makes the household exited in that year (one undoable change).
    #[allow(clippy::too_many_arguments)]
    fn exit_decision_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        snapshot: &VillageSnapshot,
        year: i32,
        passed: bool,
        actions: &mut Vec<Action>,
    ) {
        if let HouseholdStatus::Exited { year } = record.household.status {
            ui.label(
                RichText::new(match lang {
                    Lang::Zh => format!("该户已于{year}年脱贫，脱贫后继续监测。"),
                    Lang::En => format!("The household exited in {year}; it stays monitored."),
                })
                .color(OK_GREEN),
            );
            return;
        }
        if record.household.status != HouseholdStatus::Registered {
            return;
        }
        let pending = snapshot
            .workflow
            .exits
            .iter()
            .find(|d| d.household_id == record.household.id && d.confirmed_on.is_none());
        match pending {
            None if passed => {
                let label = match lang {
                    Lang::Zh => format!("提议脱贫（{year}年度）"),
                    Lang::En => format!("Propose exit ({year})"),
                };
                if ui.button(label).clicked() {
                    actions.push(Action::SaveExitDecision(ExitDecision {
                        id: Uuid::new_v4(),
                        household_id: record.household.id,
                        proposed_on: snapshot.today,
                        proposed_year: year,
                        confirmed_on: None,
                        confirmed_by: String::new(),
                    }));
                }
            }
            None => {
                ui.label(lang.pick(
                    "解决以上问题后才能提议脱贫。",
                    "Exit can be proposed once the problems above are solved.",
                ));
            }
            Some(decision) => {
                ui.label(match lang {
                    Lang::Zh => format!(
                        "已于{}提议脱贫（{}年度），待工作队确认。",
                        decision.proposed_on, decision.proposed_year
                    ),
                    Lang::En => format!(
                        "Exit proposed on {} ({}), awaiting the team's confirmation.",
                        decision.proposed_on, decision.proposed_year
                    ),
                });
                if self.exit_confirm_date.is_empty() {
                    self.exit_confirm_date = snapshot.today.to_string();
                }
                let mut confirm = false;
                egui::Grid::new("exit_confirm")
                    .num_columns(2)
                    .show(ui, |ui| {
                        let date_ok =
                            NaiveDate::parse_from_str(self.exit_confirm_date.trim(), "%Y-%m-%d")
                                .is_ok();
                        let e = (!date_ok)
                            .then(|| super::widgets::record_editor::date_hint(lang).to_string());
                        text_row(
                            ui,
                            lang.pick("确认日期", "Confirmed on"),
                            &mut self.exit_confirm_date,
                            e.as_deref(),
                        );
                        text_row(
                            ui,
                            lang.pick("确认人", "Confirmed by"),
                            &mut self.exit_confirm_by,
                            None,
                        );
                    });
                ui.horizontal(|ui| {
                    confirm = ui.button(lang.pick("确认脱贫", "Confirm exit")).clicked();
                    if ui
                        .button(lang.pick("撤回提议", "Withdraw proposal"))
                        .clicked()
                    {
                        actions.push(Action::DeleteExitDecision(decision.id));
                    }
                });
                if confirm
                    && let Ok(on) =
                        NaiveDate::parse_from_str(self.exit_confirm_date.trim(), "%Y-%m-%d")
                {
                    actions.push(Action::SaveExitDecision(ExitDecision {
                        confirmed_on: Some(on),
                        confirmed_by: self.exit_confirm_by.trim().to_string(),
                        ..decision.clone()
                    }));
                }
            }
        }
    }
}

/// 打印明白卡 / 打印走访单: ask where to save the PDF, then leave the printing to the app.
fn print_buttons_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    record: &HouseholdRecord,
    actions: &mut Vec<Action>,
) {
    use crate::io::print::PaperKind;
    for (kind, label, stem) in [
        (
            PaperKind::Card,
            lang.pick("打印明白卡", "Print card"),
            "明白卡",
        ),
        (
            PaperKind::VisitSheet,
            lang.pick("打印走访单", "Print visit sheet"),
            "走访单",
        ),
    ] {
        if ui.button(label).clicked() {
            let head = record.head().map_or("", |m| m.name.as_str());
            let file_name = format!("{stem}-{}-{head}.pdf", record.household.number);
            let chosen = rfd::FileDialog::new()
                .set_title(label)
                .add_filter("PDF", &["pdf"])
                .set_file_name(file_name)
                .save_file();
            if let Some(path) = chosen {
                actions.push(Action::PrintHousehold {
                    household: record.household.id,
                    kind,
                    path: path.with_extension("pdf"),
                });
            }
        }
    }
}

fn yes_no(v: bool, lang: Lang) -> &'static str {
    if v {
        lang.pick("是", "Yes")
    } else {
        lang.pick("否", "No")
    }
}

/// Whether Enter was pressed in this single-line field (submit the form from the keyboard).
fn entered(ui: &egui::Ui, response: &egui::Response) -> bool {
    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// What a sub-form asks for this frame.
enum FormOutcome {
    Stay,
    Submit(Box<Action>),
    Cancel,
}

/// The save and cancel buttons of a sub-form; Escape cancels too.
fn form_buttons_ui(ui: &mut egui::Ui, lang: Lang, save_label: &str) -> (bool, bool) {
    ui.horizontal(|ui| {
        let save = ui.button(save_label).clicked();
        let cancel = ui.button(lang.pick("取消", "Cancel")).clicked()
            || ui.input(|i| i.key_pressed(egui::Key::Escape));
        (save, cancel)
    })
    .inner
}

fn member_form_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    form: &mut MemberForm,
    today: NaiveDate,
) -> FormOutcome {
    let mut submit = false;
    egui::Grid::new("member_form")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let e = form.error(Field::Name, lang);
            let r = text_row(
                ui,
                lang.pick("姓名", "Name"),
                &mut form.member.name,
                e.as_deref(),
            );
            if std::mem::take(&mut form.focus_first) {
                r.request_focus();
            }
            submit |= entered(ui, &r);
            let e = form
                .error(Field::IdNumber, lang)
                .or_else(|| form.error(Field::BirthDate, lang));
            let r = text_row(
                ui,
                lang.pick("身份证号", "ID number"),
                &mut form.member.id_number,
                e.as_deref(),
            );
            submit |= entered(ui, &r);
            // What the number says, as soon as it is a valid number: the person checks it against
            // the ID card instead of typing sex and birth date separately.
            if let Ok(info) = id_number::validate(&form.member.id_number, today) {
                ui.label("");
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!(
                            "出生日期 {} · {} · {}岁",
                            info.birth_date,
                            info.sex.label(lang),
                            id_number::age_on(info.birth_date, today)
                        ),
                        Lang::En => format!(
                            "Born {} · {} · age {}",
                            info.birth_date,
                            info.sex.label(lang),
                            id_number::age_on(info.birth_date, today)
                        ),
                    })
                    .color(OK_GREEN),
                );
                ui.end_row();
            }
            widgets::combo_row(
                ui,
                lang,
                lang.pick("与户主关系", "Relation to head"),
                &mut form.member.relation,
                Relation::ALL,
            );
            text_row(
                ui,
                lang.pick("民族", "Ethnicity"),
                &mut form.member.ethnicity,
                None,
            );
            widgets::combo_row(
                ui,
                lang,
                lang.pick("文化程度", "Education"),
                &mut form.member.education,
                Education::ALL,
            );
            widgets::combo_row(
                ui,
                lang,
                lang.pick("健康状况", "Health"),
                &mut form.member.health,
                Health::ALL,
            );
            if form.member.health == Health::Disabled {
                let e = form.error(Field::DisabilityGrade, lang);
                text_row(
                    ui,
                    lang.pick("残疾等级（1–4）", "Disability grade (1–4)"),
                    &mut form.disability_grade,
                    e.as_deref(),
                );
            }
            widgets::combo_row(
                ui,
                lang,
                lang.pick("劳动能力", "Labour ability"),
                &mut form.member.labour,
                LabourAbility::ALL,
            );
            widgets::combo_row(
                ui,
                lang,
                lang.pick("务工状况", "Work"),
                &mut form.member.work,
                WorkStatus::ALL,
            );
            if form.member.work == WorkStatus::Migrant {
                let e = form.error(Field::MigrantMonths, lang);
                text_row(
                    ui,
                    lang.pick("务工月数", "Months of migrant work"),
                    &mut form.migrant_months,
                    e.as_deref(),
                );
            }
            ui.label(lang.pick("保障情况", "Coverage"));
            ui.horizontal_wrapped(|ui| {
                ui.checkbox(&mut form.member.in_school, lang.pick("在校生", "In school"));
                ui.checkbox(
                    &mut form.member.medical_insurance,
                    lang.pick("参加城乡居民医保", "Medical insurance"),
                );
                ui.checkbox(
                    &mut form.member.pension_insurance,
                    lang.pick("参加养老保险", "Pension insurance"),
                );
                ui.checkbox(
                    &mut form.member.dibao,
                    lang.pick("享受低保", "Receives dibao"),
                );
            });
            ui.end_row();
        });
    let shown = [
        Field::Name,
        Field::IdNumber,
        Field::BirthDate,
        Field::DisabilityGrade,
        Field::MigrantMonths,
    ];
    for e in form.errors.iter().filter(|e| !shown.contains(&e.field)) {
        ui.label(RichText::new(e.localize(lang)).color(ERROR_RED));
    }
    let (save, cancel) = form_buttons_ui(ui, lang, lang.pick("保存成员", "Save member"));
    if cancel {
        return FormOutcome::Cancel;
    }
    match (submit || save).then(|| form.build(lang, today)).flatten() {
        Some(member) => FormOutcome::Submit(Box::new(Action::SaveMember(member))),
        None => FormOutcome::Stay,
    }
}

fn income_form_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    form: &mut IncomeForm,
    today: NaiveDate,
    sales_yuan: f64,
) -> FormOutcome {
    let mut submit = false;
    egui::Grid::new("income_form")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let e = form.error(Field::Year, lang);
            let r = text_row(ui, lang.pick("年份", "Year"), &mut form.year, e.as_deref());
            if std::mem::take(&mut form.focus_first) {
                r.request_focus();
            }
            let labels = [
                lang.pick("工资性收入（元）", "Wage income (yuan)"),
                lang.pick(
                    "生产经营性收入（元）",
                    "Production and business income (yuan)",
                ),
                lang.pick("财产性收入（元）", "Property income (yuan)"),
                lang.pick("转移性收入（元）", "Transfer income (yuan)"),
                lang.pick("生产经营性支出（元）", "Production expenses (yuan)"),
            ];
            for (k, label) in labels.into_iter().enumerate() {
                let e = form.error(INCOME_FIELDS[k], lang);
                let r = text_row(ui, label, &mut form.amounts[k], e.as_deref());
                submit |= entered(ui, &r);
            }
        });
    // Recorded sales are part of the year's production income: offer to bring a lower figure up
    // to them (never to add them twice).
    const PRODUCTION: usize = 1;
    let production = widgets::parse_amount(&form.amounts[PRODUCTION]).unwrap_or(0.0);
    if sales_yuan > 0.0 {
        ui.horizontal_wrapped(|ui| {
            let text = match lang {
                Lang::Zh => format!("本年销售记录合计 {} 元", widgets::yuan(sales_yuan)),
                Lang::En => format!(
                    "Sales recorded this year: {} yuan",
                    widgets::yuan(sales_yuan)
                ),
            };
            if production + 0.005 < sales_yuan {
                ui.label(
                    RichText::new(format!(
                        "{text}{}",
                        lang.pick(
                            "，生产经营性收入不应少于此数。",
                            "; production income should not be less."
                        )
                    ))
                    .color(WARN_AMBER),
                );
                if ui
                    .button(lang.pick("按销售额填入", "Use the sales figure"))
                    .clicked()
                {
                    form.amounts[PRODUCTION] = format_number(sales_yuan);
                }
            } else {
                ui.label(format!(
                    "{text}{}",
                    lang.pick(
                        "，已计入生产经营性收入。",
                        ", counted in production income."
                    )
                ));
            }
        });
    }
    let (save, cancel) = form_buttons_ui(ui, lang, lang.pick("保存收入", "Save income"));
    if cancel {
        return FormOutcome::Cancel;
    }
    match (submit || save).then(|| form.build(lang, today)).flatten() {
        Some(income) => FormOutcome::Submit(Box::new(Action::SaveIncome(income))),
        None => FormOutcome::Stay,
    }
}
