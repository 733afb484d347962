//! A household's yearly incomes (收入): each year's items with the net and per-capita income
//! against that year's line, and the income form on the shared record editor, which shows the
//! year's recorded sales beside the production income.

use chrono::Datelike;
use eframe::egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{HouseholdRecord, IncomeYear};
use crate::rules::income::{self, IncomeItem};
use crate::rules::membership;
use crate::rules::registry::{self, Field, FieldError};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::record_editor::{
    EditorOutcome, FormErrors, RecordEditor, RecordForm, plain_number,
};
use crate::ui::widgets::{self, ERROR_RED, FocusIf, OK_GREEN, WARN_AMBER, text_row};
use crate::workspace::VillageView;

const INCOME_FIELDS: [Field; 5] = [
    Field::Amount(IncomeItem::Wage),
    Field::Amount(IncomeItem::Production),
    Field::Amount(IncomeItem::Property),
    Field::Amount(IncomeItem::Transfer),
    Field::Amount(IncomeItem::ProductionExpense),
];

/// The income form: one year of income items, typed as text.
struct IncomeForm {
    income: IncomeYear,
    year: String,
    amounts: [String; 5],
    errors: FormErrors<FieldError>,
}

impl RecordForm for IncomeForm {
    type Record = IncomeYear;
    type Problem = FieldError;

    fn of(i: &IncomeYear) -> IncomeForm {
        IncomeForm {
            income: i.clone(),
            year: i.year.to_string(),
            amounts: [
                plain_number(i.wage_yuan),
                plain_number(i.production_yuan),
                plain_number(i.property_yuan),
                plain_number(i.transfer_yuan),
                plain_number(i.production_expense_yuan),
            ],
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, _view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(Field::Year, lang);
        text_row(ui, lang.pick("年份", "Year"), &mut self.year, e.as_deref()).focus_if(focus_first);
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
            let e = self.errors.beside(INCOME_FIELDS[k], lang);
            text_row(ui, label, &mut self.amounts[k], e.as_deref());
        }
    }

    fn after_fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView) {
        let sales_yuan = self.year.trim().parse::<i32>().map_or(0.0, |year| {
            crate::rules::sales::sales_income_yuan(
                &view.workflow.sales,
                self.income.household_id,
                year,
            )
        });
        // Recorded sales are part of the year's production income: offer to bring a lower figure up
        // to them (never to add them twice).
        const PRODUCTION: usize = 1;
        let production = widgets::parse_amount(&self.amounts[PRODUCTION]).unwrap_or(0.0);
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
                        self.amounts[PRODUCTION] = plain_number(sales_yuan);
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
    }

    fn build(&mut self, lang: Lang, view: &VillageView) -> Option<IncomeYear> {
        self.errors.start();
        let mut i = self.income.clone();
        match self.year.trim().parse::<i32>() {
            Ok(y) => i.year = y,
            Err(_) => self.errors.input_error(
                Field::Year,
                lang.pick("请填写年份（如 2020）", "Enter the year (e.g. 2020)"),
            ),
        }
        let mut values = [0.0; 5];
        for (k, text) in self.amounts.iter().enumerate() {
            values[k] = self.errors.amount(lang, text, INCOME_FIELDS[k]);
        }
        [
            i.wage_yuan,
            i.production_yuan,
            i.property_yuan,
            i.transfer_yuan,
            i.production_expense_yuan,
        ] = values;
        self.errors
            .finish(registry::validate_income(&i, view.today))
            .then_some(i)
    }

    fn errors(&self) -> &FormErrors<FieldError> {
        &self.errors
    }

    fn save_label(lang: Lang) -> &'static str {
        lang.pick("保存收入", "Save income")
    }
}

pub struct IncomesTab {
    editor: RecordEditor<IncomeForm>,
}

impl Default for IncomesTab {
    fn default() -> Self {
        IncomesTab {
            editor: RecordEditor::new("income"),
        }
    }
}

impl IncomesTab {
    /// After the data changed: the form closes.
    pub fn close_forms(&mut self) {
        self.editor.close();
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        let size = record.size();
        ui.label(match lang {
            Lang::Zh => format!("人均纯收入 =（工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营支出）÷ 当年年末家庭人口（现有 {size} 人）"),
            Lang::En => format!("Per-capita net income = (wage + production + property + transfer − production expenses) ÷ household size at the end of that year (now {size})"),
        });
        TableBuilder::new(ui)
            .id_salt("incomes")
            .striped(true)
            .vscroll(false)
            .columns(Column::initial(82.0).at_least(60.0), 11)
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                widgets::header_cells(
                    &mut header,
                    &[
                        lang.pick("年份", "Year"),
                        lang.pick("工资性", "Wage"),
                        lang.pick("生产经营性", "Production"),
                        lang.pick("财产性", "Property"),
                        lang.pick("转移性", "Transfer"),
                        lang.pick("经营支出", "Expenses"),
                        lang.pick("纯收入", "Net"),
                        lang.pick("当年人口", "Size that year"),
                        lang.pick("人均", "Per capita"),
                        lang.pick("扶贫标准", "Line"),
                        lang.pick("判定", "Standing"),
                        "",
                    ],
                );
            })
            .body(|mut body| {
                for i in record.incomes.iter().rev() {
                    let figures = income::figures(record, i.year, &view.lines, &view.thresholds);
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
                            ui.label(membership::size_in(record, i.year).to_string());
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
                                let mark = if f.missing.is_some() { " ⚠" } else { "" };
                                ui.label(
                                    RichText::new(format!("{}{mark}", f.standing.label(lang)))
                                        .color(color),
                                );
                            }
                            None => {
                                ui.label(lang.pick("无标准", "No line"));
                            }
                        });
                        row.col(|ui| {
                            if let EditorOutcome::Delete(id) =
                                self.editor.row_buttons_ui(ui, lang, i.id, i)
                            {
                                actions.push(Action::Data(DataAction::DeleteIncome(id)));
                            }
                        });
                    });
                }
            });
        widgets::threshold_warnings_ui(
            ui,
            &view
                .lines
                .missing_for(record.incomes.iter().map(|i| i.year), &view.thresholds),
            lang,
        );
        ui.add_space(8.0);
        let new_income = || IncomeYear {
            id: Uuid::new_v4(),
            household_id: record.household.id,
            year: record
                .incomes
                .iter()
                .map(|i| i.year + 1)
                .max()
                .unwrap_or(view.today.year() - 1),
            wage_yuan: 0.0,
            production_yuan: 0.0,
            property_yuan: 0.0,
            transfer_yuan: 0.0,
            production_expense_yuan: 0.0,
        };
        // The income form has no heading: its fields say what it is.
        if let EditorOutcome::Save(income) = self.editor.form_ui(
            ui,
            lang,
            view,
            "",
            lang.pick("＋ 添加年度收入", "+ Add a year's income"),
            new_income,
        ) {
            actions.push(Action::Data(DataAction::SaveIncome(income)));
        }
    }
}
