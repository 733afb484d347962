//! Industry and e-commerce (产业与电商): the village register of local products (kind, season,
//! volume, price, certification) with the households producing them, and the sales of each
//! household by channel. Sales count toward the household's production income of their year.

use std::collections::BTreeMap;

use eframe::egui::{self, Ui};
use uuid::Uuid;

use super::funds::measure_name;
use crate::i18n::{Label, Lang};
use crate::model::{Certification, Product, Sale, SalesChannel};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::widgets::pickers::{self, household_name_of};
use crate::ui::widgets::record_editor::{
    EditorOutcome, FormErrors, RecordEditor, RecordForm, newest_first_ui, plain_number,
};
use crate::ui::widgets::{self, FocusIf, text_row};
use crate::workspace::VillageView;

pub struct ProductForm {
    product: Product,
    volume: String,
    price: String,
    search: String,
    errors: FormErrors,
}

impl RecordForm for ProductForm {
    type Record = Product;
    type Problem = WorkFieldError;

    fn of(p: &Product) -> Self {
        ProductForm {
            product: p.clone(),
            volume: plain_number(p.volume),
            price: plain_number(p.price_yuan),
            search: String::new(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(WorkField::Name, lang);
        text_row(
            ui,
            lang.pick("产品名称", "Product"),
            &mut self.product.name,
            e.as_deref(),
        )
        .focus_if(focus_first);
        text_row(
            ui,
            lang.pick("品类（水果、茶叶、畜禽…）", "Kind (fruit, tea, livestock…)"),
            &mut self.product.kind,
            None,
        );
        text_row(
            ui,
            lang.pick("上市季节", "Season"),
            &mut self.product.season,
            None,
        );
        let e = self.errors.beside(WorkField::Volume, lang);
        text_row(
            ui,
            lang.pick("年产量", "Yearly volume"),
            &mut self.volume,
            e.as_deref(),
        );
        text_row(
            ui,
            lang.pick("计量单位（斤、箱、头…）", "Unit (jin, box, head…)"),
            &mut self.product.unit,
            None,
        );
        let e = self.errors.beside(WorkField::Price, lang);
        text_row(
            ui,
            lang.pick("单价（元）", "Price (yuan)"),
            &mut self.price,
            e.as_deref(),
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("品牌认证", "Certification"),
            &mut self.product.certification,
            Certification::ALL,
        );
        pickers::households_row(
            ui,
            lang,
            lang.pick("生产农户", "Producing households"),
            &view.records,
            &mut self.product.producer_household_ids,
            &mut self.search,
        );
        let measures: Vec<(Uuid, String)> = view
            .workflow
            .measures
            .iter()
            .filter(|m| {
                self.product
                    .producer_household_ids
                    .contains(&m.household_id)
            })
            .map(|m| {
                (
                    m.id,
                    format!(
                        "{} · {}",
                        household_name_of(&view.records, m.household_id),
                        measure_name(m, lang)
                    ),
                )
            })
            .collect();
        pickers::choice_row(
            ui,
            lang.pick("关联帮扶措施", "Plan measure"),
            lang.pick("（无）", "(none)"),
            &mut self.product.measure_id,
            &measures,
        );
    }

    fn build(&mut self, lang: Lang, _view: &VillageView) -> Option<Product> {
        self.errors.start();
        let mut p = self.product.clone();
        p.volume = self.errors.amount(lang, &self.volume, WorkField::Volume);
        p.price_yuan = self.errors.amount(lang, &self.price, WorkField::Price);
        let ok = self.errors.finish(workflow_records::validate_product(&p));
        ok.then_some(p)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

pub struct SaleForm {
    sale: Sale,
    household: Option<Uuid>,
    amount: String,
    quantity: String,
    date: String,
    errors: FormErrors,
    /// Shown when no household is chosen (a sale always belongs to one).
    missing_household: bool,
}

impl RecordForm for SaleForm {
    type Record = Sale;
    type Problem = WorkFieldError;

    fn of(s: &Sale) -> Self {
        SaleForm {
            sale: s.clone(),
            household: (!s.household_id.is_nil()).then_some(s.household_id),
            amount: plain_number(s.amount_yuan),
            quantity: plain_number(s.quantity),
            date: s.date.to_string(),
            errors: FormErrors::default(),
            missing_household: false,
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, _focus_first: bool) {
        let households = pickers::household_options(&view.records);
        let label_id = ui.label(lang.pick("销售农户", "Household")).id;
        ui.vertical(|ui| {
            pickers::choice(
                ui,
                label_id,
                lang.pick("（请选择）", "(choose)"),
                &mut self.household,
                &households,
            );
            if self.missing_household {
                ui.label(
                    egui::RichText::new(lang.pick("请选择农户", "Choose a household"))
                        .color(widgets::ERROR_RED),
                );
            }
        });
        ui.end_row();
        let products: Vec<(Uuid, String)> = view
            .workflow
            .products
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .collect();
        pickers::choice_row(
            ui,
            lang.pick("产品", "Product"),
            lang.pick("（其他）", "(other)"),
            &mut self.sale.product_id,
            &products,
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("销售渠道", "Channel"),
            &mut self.sale.channel,
            SalesChannel::ALL,
        );
        let e = self.errors.beside(WorkField::Date, lang);
        text_row(
            ui,
            lang.pick("销售日期", "Date"),
            &mut self.date,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Amount, lang);
        text_row(
            ui,
            lang.pick("销售额（元）", "Amount (yuan)"),
            &mut self.amount,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Quantity, lang);
        text_row(
            ui,
            lang.pick("数量", "Quantity"),
            &mut self.quantity,
            e.as_deref(),
        );
    }

    fn build(&mut self, lang: Lang, _view: &VillageView) -> Option<Sale> {
        self.errors.start();
        let mut s = self.sale.clone();
        s.amount_yuan = self.errors.amount(lang, &self.amount, WorkField::Amount);
        s.quantity = self
            .errors
            .amount(lang, &self.quantity, WorkField::Quantity);
        if let Some(d) = self.errors.date(lang, &self.date, WorkField::Date) {
            s.date = d;
        }
        self.missing_household = self.household.is_none();
        if let Some(h) = self.household {
            s.household_id = h;
        }
        let ok = self.errors.finish(workflow_records::validate_sale(&s));
        (ok && !self.missing_household).then_some(s)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

pub struct ProductsTab {
    products: RecordEditor<ProductForm>,
    sales: RecordEditor<SaleForm>,
}

impl Default for ProductsTab {
    fn default() -> Self {
        ProductsTab {
            products: RecordEditor::new("product"),
            sales: RecordEditor::new("sale"),
        }
    }
}

impl ProductsTab {
    pub fn close_forms(&mut self) {
        self.products.close();
        self.sales.close();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
        let village = &view.village;
        let sales = &view.workflow.sales;
        ui.heading(lang.pick("特色产品", "Local products"));
        for p in &view.workflow.products {
            let sold: f64 = sales
                .iter()
                .filter(|s| s.product_id == Some(p.id))
                .map(|s| s.amount_yuan)
                .sum();
            ui.horizontal_wrapped(|ui| {
                ui.strong(&p.name);
                ui.label(format!("{} · {}", p.kind, p.season));
                ui.label(format!(
                    "{} {} · {} {}/{}",
                    plain_number(p.volume),
                    p.unit,
                    widgets::yuan(p.price_yuan),
                    lang.pick("元", "yuan"),
                    p.unit
                ));
                if p.certification != Certification::NoCertification {
                    ui.label(p.certification.label(lang));
                }
                ui.label(match lang {
                    Lang::Zh => format!(
                        "{} 户生产，已售 {} 元",
                        p.producer_household_ids.len(),
                        widgets::yuan(sold)
                    ),
                    Lang::En => format!(
                        "{} producing households, {} yuan sold",
                        p.producer_household_ids.len(),
                        widgets::yuan(sold)
                    ),
                });
                if let EditorOutcome::Delete(id) = self.products.row_buttons_ui(ui, lang, p.id, p) {
                    actions.push(Action::Data(DataAction::DeleteProduct(id)));
                }
            });
        }
        let new_product = || Product {
            id: Uuid::new_v4(),
            village_id: village.id,
            name: String::new(),
            kind: String::new(),
            season: String::new(),
            volume: 0.0,
            unit: lang.pick("斤", "jin").to_string(),
            price_yuan: 0.0,
            certification: Certification::NoCertification,
            producer_household_ids: Vec::new(),
            measure_id: None,
        };
        if let EditorOutcome::Save(p) = self.products.form_ui(
            ui,
            lang,
            view,
            lang.pick("特色产品", "Product"),
            lang.pick("＋ 登记产品", "+ Register a product"),
            new_product,
        ) {
            actions.push(Action::Data(DataAction::SaveProduct(p)));
        }

        ui.separator();
        ui.heading(lang.pick("销售记录", "Sales"));
        let mut by_channel: BTreeMap<&str, f64> = BTreeMap::new();
        for s in sales {
            *by_channel.entry(s.channel.label(lang)).or_default() += s.amount_yuan;
        }
        ui.horizontal_wrapped(|ui| {
            ui.strong(lang.pick("按渠道：", "By channel:"));
            for (channel, amount) in &by_channel {
                ui.label(format!("{channel} {}", widgets::yuan(*amount)));
            }
        });
        let today = view.today;
        let new_sale = || Sale {
            id: Uuid::new_v4(),
            household_id: Uuid::nil(),
            product_id: None,
            channel: SalesChannel::OnlineStore,
            date: today,
            amount_yuan: 0.0,
            quantity: 0.0,
        };
        if let EditorOutcome::Save(s) = self.sales.form_ui(
            ui,
            lang,
            view,
            lang.pick("销售记录", "Sale"),
            lang.pick("＋ 记录销售", "+ Record a sale"),
            new_sale,
        ) {
            actions.push(Action::Data(DataAction::SaveSale(s)));
        }
        newest_first_ui(
            ui,
            "sales_list",
            sales,
            |r| r.date,
            |ui, s| {
                ui.label(household_name_of(&view.records, s.household_id));
                let product = s
                    .product_id
                    .and_then(|id| view.workflow.products.iter().find(|p| p.id == id))
                    .map_or(lang.pick("其他", "other"), |p| p.name.as_str());
                ui.label(product);
                ui.label(s.channel.label(lang));
                ui.strong(format!(
                    "{} {}",
                    widgets::yuan(s.amount_yuan),
                    lang.pick("元", "yuan")
                ));
                if let EditorOutcome::Delete(id) = self.sales.row_buttons_ui(ui, lang, s.id, s) {
                    actions.push(Action::Data(DataAction::DeleteSale(id)));
                }
            },
        );
    }
}
