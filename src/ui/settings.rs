//! Settings (设置): the poverty-line table by year and the thresholds the rules take as
//! parameters (warning band, incidence limit, school ages, visit interval). They are county
//! policy, normally set by the county; a village edits them only when told to.

use eframe::egui::{self, RichText};

use super::action::Action;
use super::action::DataAction;
use super::widgets::record_editor::plain_number;
use super::widgets::{self, ERROR_RED, text_row};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{PovertyLine, Thresholds};
use crate::rules::income::PovertyLines;
use crate::rules::settings::{self, SettingField};

/// The income-standard form: a year, a province (empty: national), its figure and source, as
/// typed.
#[derive(Default)]
struct LineForm {
    year: String,
    province: String,
    line: String,
    source: String,
    problems: Vec<(SettingField, String)>,
}

/// The thresholds form, as typed.
struct ThresholdsForm {
    marginal_factor: String,
    max_incidence_percent: String,
    school_age_min: String,
    school_age_max: String,
    visit_interval_days: String,
    case_deadline_days: String,
    case_deadline_working_days: bool,
    notice_min_days: String,
    problems: Vec<(SettingField, String)>,
}

impl ThresholdsForm {
    fn of(t: &Thresholds) -> ThresholdsForm {
        ThresholdsForm {
            marginal_factor: t.marginal_factor.to_string(),
            max_incidence_percent: plain_number(t.max_incidence * 100.0),
            school_age_min: t.school_age_min.to_string(),
            school_age_max: t.school_age_max.to_string(),
            visit_interval_days: t.visit_interval_days.to_string(),
            case_deadline_days: t.case_deadline_days.to_string(),
            case_deadline_working_days: t.case_deadline_working_days,
            notice_min_days: t.notice_min_days.to_string(),
            problems: Vec::new(),
        }
    }

    fn build(&mut self, lang: Lang) -> Option<Thresholds> {
        self.problems.clear();
        let mut number = |text: &str, field: SettingField| -> f64 {
            match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    self.problems
                        .push((field, widgets::not_a_number(lang).to_string()));
                    f64::NAN
                }
            }
        };
        let marginal_factor = number(&self.marginal_factor, SettingField::MarginalFactor);
        let incidence = number(
            &self.max_incidence_percent,
            SettingField::MaxIncidencePercent,
        );
        let school_min = number(&self.school_age_min, SettingField::SchoolAgeMin);
        let school_max = number(&self.school_age_max, SettingField::SchoolAgeMax);
        let visit_days = number(&self.visit_interval_days, SettingField::VisitIntervalDays);
        let case_days = number(&self.case_deadline_days, SettingField::CaseDeadlineDays);
        let notice_days = number(&self.notice_min_days, SettingField::NoticeMinDays);
        if !self.problems.is_empty() {
            return None;
        }
        // Whole numbers for ages and days: the clamp only guards the cast, the rules check range.
        let whole = |v: f64| v.round().clamp(0.0, 100_000.0) as u32;
        let t = Thresholds {
            marginal_factor,
            max_incidence: incidence / 100.0,
            school_age_min: whole(school_min),
            school_age_max: whole(school_max),
            visit_interval_days: whole(visit_days),
            case_deadline_days: whole(case_days),
            case_deadline_working_days: self.case_deadline_working_days,
            notice_min_days: whole(notice_days),
            ..Thresholds::default()
        };
        self.problems = settings::validate_thresholds(&t)
            .into_iter()
            .map(|(f, p)| (f, p.localize(lang)))
            .collect();
        self.problems.is_empty().then_some(t)
    }
}

#[derive(Default)]
pub struct SettingsScreen {
    line_form: LineForm,
    thresholds_form: Option<ThresholdsForm>,
    passphrase_form: PassphraseForm,
}

/// 更改口令: the passphrase in use and the new one twice, as typed.
#[derive(Default)]
struct PassphraseForm {
    old: String,
    new: String,
    again: String,
    problem: Option<(&'static str, &'static str)>,
}

impl PassphraseForm {
    fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
        use super::passphrase::password_row;
        ui.heading(lang.pick("更改口令", "Change the passphrase"));
        egui::Grid::new("change_passphrase")
            .num_columns(2)
            .show(ui, |ui| {
                password_row(
                    ui,
                    lang.pick("当前口令", "Current passphrase"),
                    &mut self.old,
                );
                password_row(
                    ui,
                    lang.pick(
                        "新口令（至少 8 个字符）",
                        "New passphrase (at least 8 characters)",
                    ),
                    &mut self.new,
                );
                password_row(
                    ui,
                    lang.pick("再输一遍新口令", "New passphrase again"),
                    &mut self.again,
                );
            });
        if !self.new.is_empty() {
            ui.label(format!(
                "{}{}",
                lang.pick("强度：", "Strength: "),
                crate::store::cipher::strength(&self.new).localize(lang)
            ));
        }
        if let Some((zh, en)) = self.problem {
            ui.label(RichText::new(lang.pick(zh, en)).color(ERROR_RED));
        }
        if ui.button(lang.pick("确认更改口令", "Change it")).clicked() {
            self.problem = if self.new.chars().count() < crate::store::cipher::MIN_PASSPHRASE_CHARS
            {
                Some((
                    "新口令太短：至少 8 个字符。",
                    "The new passphrase is too short: at least 8 characters.",
                ))
            } else if self.new != self.again {
                Some((
                    "两次输入的新口令不一样，请重输。",
                    "The two new passphrases differ; enter them again.",
                ))
            } else {
                None
            };
            if self.problem.is_none() {
                actions.push(Action::ChangePassphrase {
                    old: std::mem::take(&mut self.old),
                    new: std::mem::take(&mut self.new),
                });
                self.again.clear();
            }
        }
    }
}

impl SettingsScreen {
    /// After a change of the data: forms show what is stored.
    pub fn reset(&mut self) {
        self.line_form = LineForm::default();
        self.thresholds_form = None;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        lines: &PovertyLines,
        thresholds: &Thresholds,
        encrypted: bool,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        egui::ScrollArea::vertical().show(ui, |ui| {
            if encrypted {
                self.passphrase_form.ui(ui, lang, &mut actions);
                ui.separator();
            }
            ui.label(
                RichText::new(lang.pick(
                    "以下为县级政策参数，通常由县扶贫办统一设定；请仅在县里通知时修改。",
                    "These are county policy parameters, normally set by the county; change them only when the county says so.",
                ))
                .color(widgets::WARN_AMBER),
            );
            ui.add_space(6.0);
            ui.heading(lang.pick("扶贫标准与监测标准（农村居民人均纯收入，元/年）", "Poverty line and monitoring threshold (rural per-capita net income, yuan/year)"));
            ui.label(lang.pick(
                "2020年及以前为扶贫标准；2021年起为各省防止返贫监测标准（低于此收入即在监测范围内）。省份为区划代码前两位，空为全国；本省有数的年份以本省为准。",
                "Up to 2020 the poverty line; from 2021 each province's monitoring threshold (an income below it is within the watch band). The province is the first two digits of the codes, empty for national; a province's own figure of a year wins.",
            ));
            ui.add_space(4.0);
            let form = &mut self.line_form;
            let mut submit = false;
            egui::Grid::new("line_form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                let year_hint = lang.pick("请填写年份（如 2021）", "Enter the year (e.g. 2021)");
                submit |= number_row(ui, lang.pick("标准年份", "Line year"), &mut form.year, SettingField::Year, &mut form.problems, lang, |t| t.trim().parse::<i32>().is_ok(), year_hint);
                let e = beside(&form.problems, SettingField::Province, lang);
                let r = text_row(ui, lang.pick("省份代码（空为全国）", "Province code (empty: national)"), &mut form.province, e.as_deref());
                submit |= widgets::entered(ui, &r);
                submit |= number_row(ui, lang.pick("标准金额（元）", "Line amount (yuan)"), &mut form.line, SettingField::LineYuan, &mut form.problems, lang, |t| !t.trim().is_empty() && widgets::parse_amount(t).is_some(), widgets::not_a_number(lang));
                let r = text_row(ui, lang.pick("来源（文件名称文号）", "Source (document)"), &mut form.source, None);
                submit |= widgets::entered(ui, &r);
            });
            if ui.button(lang.pick("保存扶贫标准", "Save the line")).clicked() || submit {
                form.problems.clear();
                let year = form.year.trim().parse::<i32>();
                let amount = widgets::parse_amount(&form.line).filter(|_| !form.line.trim().is_empty());
                if year.is_err() {
                    form.problems.push((SettingField::Year, lang.pick("请填写年份（如 2021）", "Enter the year (e.g. 2021)").to_string()));
                }
                if amount.is_none() {
                    form.problems.push((SettingField::LineYuan, widgets::not_a_number(lang).to_string()));
                }
                if let (Ok(year), Some(line_yuan)) = (year, amount) {
                    let line = PovertyLine {
                        year,
                        line_yuan,
                        province: form.province.trim().to_string(),
                        source: form.source.trim().to_string(),
                    };
                    form.problems = settings::validate_poverty_line(&line)
                        .into_iter()
                        .map(|(f, p)| (f, p.localize(lang)))
                        .collect();
                    if form.problems.is_empty() {
                        actions.push(Action::Data(DataAction::SavePovertyLine(line)));
                    }
                }
            }

            ui.add_space(6.0);
            let province = lines.province();
            egui::ScrollArea::vertical().id_salt("poverty_lines_scroll").max_height(150.0).show(ui, |ui| {
            egui::Grid::new("poverty_lines")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    ui.strong(lang.pick("年份", "Year"));
                    ui.strong(lang.pick("省份", "Province"));
                    ui.strong(lang.pick("类别", "Kind"));
                    ui.strong(lang.pick("标准（元）", "Line (yuan)"));
                    ui.strong(lang.pick("来源", "Source"));
                    ui.label("");
                    ui.end_row();
                    for line in lines.rows() {
                        let own = line.province.is_empty() || line.province == province;
                        let text = |t: String| if own { RichText::new(t) } else { RichText::new(t).weak() };
                        ui.label(text(line.year.to_string()));
                        ui.label(text(if line.province.is_empty() {
                            lang.pick("全国", "national").to_string()
                        } else {
                            line.province.clone()
                        }));
                        ui.label(text(line.kind().label(lang).to_string()));
                        ui.label(text(widgets::yuan(line.line_yuan)));
                        let source = if line.source.is_empty() {
                            lang.pick("（未注明）", "(not stated)").to_string()
                        } else {
                            line.source.clone()
                        };
                        let shown: String = source.chars().take(28).collect();
                        let shown = if shown.len() < source.len() { format!("{shown}…") } else { shown };
                        ui.label(text(shown)).on_hover_text(source);
                        if ui.small_button(lang.pick("修改", "Edit")).clicked() {
                            self.line_form = LineForm {
                                year: line.year.to_string(),
                                province: line.province.clone(),
                                line: plain_number(line.line_yuan),
                                source: line.source.clone(),
                                problems: Vec::new(),
                            };
                        }
                        ui.end_row();
                    }
                });
            });
            ui.label(lang.pick(
                "没有列出的年份沿用此前最近一年的标准；2021年起缺年份的，凡用到之处都会提示“某年无监测标准，暂按某年”。",
                "A year not listed uses the latest earlier figure; from 2021 every place that uses such a year says so (\"No monitoring threshold for …; using …'s\").",
            ));
            ui.add_space(12.0);
            ui.separator();
            ui.heading(lang.pick("判定参数", "Thresholds"));
            let form = self
                .thresholds_form
                .get_or_insert_with(|| ThresholdsForm::of(thresholds));
            let mut submit = false;
            egui::Grid::new("thresholds_form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                let nan = widgets::not_a_number(lang);
                let is_number = |t: &str| t.trim().parse::<f64>().is_ok_and(f64::is_finite);
                let p = &mut form.problems;
                submit |= number_row(ui, lang.pick("监测预警线（标准的倍数）", "Warning band (times the line)"), &mut form.marginal_factor, SettingField::MarginalFactor, p, lang, is_number, nan);
                submit |= number_row(ui, lang.pick("贫困发生率上限（%）", "Incidence limit (%)"), &mut form.max_incidence_percent, SettingField::MaxIncidencePercent, p, lang, is_number, nan);
                submit |= number_row(ui, lang.pick("义务教育起始年龄", "School age from"), &mut form.school_age_min, SettingField::SchoolAgeMin, p, lang, is_number, nan);
                submit |= number_row(ui, lang.pick("义务教育截止年龄", "School age to"), &mut form.school_age_max, SettingField::SchoolAgeMax, p, lang, is_number, nan);
                submit |= number_row(ui, lang.pick("走访间隔（天）", "Visit interval (days)"), &mut form.visit_interval_days, SettingField::VisitIntervalDays, p, lang, is_number, nan);
                submit |= number_row(ui, lang.pick("监测对象从发现到县级审定的时限（天）", "Monitoring case: days from discovery to decision"), &mut form.case_deadline_days, SettingField::CaseDeadlineDays, p, lang, is_number, nan);
                ui.label("");
                ui.checkbox(&mut form.case_deadline_working_days, lang.pick("按工作日计算（周一至周五，不含法定节假日调整）", "Count working days (Monday to Friday; public holidays not known)"));
                ui.end_row();
                submit |= number_row(ui, lang.pick("公示期至少（天）", "Public notice at least (days)"), &mut form.notice_min_days, SettingField::NoticeMinDays, p, lang, is_number, nan);
            });
            if (ui.button(lang.pick("保存判定参数", "Save the thresholds")).clicked() || submit)
                && let Some(t) = form.build(lang)
            {
                actions.push(Action::Data(DataAction::SaveThresholds(t)));
            }
            if !form.problems.is_empty() {
                ui.label(RichText::new(lang.pick("请改正标红的项目。", "Correct the fields marked in red.")).color(ERROR_RED));
            }
        });
        actions
    }
}

/// A field of a settings form with its problem beside it. As the text changes the form's own
/// reading of it is done again, so "请输入数字" goes as soon as the text is a number (and comes
/// back if it stops being one). True when Enter was pressed in it: the form is submitted.
#[allow(clippy::too_many_arguments)]
fn number_row(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    field: SettingField,
    problems: &mut Vec<(SettingField, String)>,
    lang: Lang,
    reads: impl Fn(&str) -> bool,
    unreadable: &str,
) -> bool {
    let e = beside(problems, field, lang);
    let response = text_row(ui, label, text, e.as_deref());
    if response.changed() && problems.iter().any(|(f, _)| *f == field) {
        problems.retain(|(f, _)| *f != field);
        if !reads(text) {
            problems.push((field, unreadable.to_string()));
        }
    }
    widgets::entered(ui, &response)
}

fn beside(problems: &[(SettingField, String)], field: SettingField, lang: Lang) -> Option<String> {
    widgets::errors_beside(lang, field, problems.iter().cloned())
}
