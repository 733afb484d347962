//! Household income: net income, per-capita net income (人均纯收入), the poverty-line table and
//! where a household stands against the line of the year its income belongs to.
//!
//! Comparisons are made in whole fen (0.01 yuan), the precision every screen shows, so that a
//! household displayed as "2855.00" is never judged above a line of 2855 because of a rounding
//! error in the sum of its income items.

use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    HouseholdRecord, IncomeYear, PovertyLine, StandardKind, Thresholds, default_poverty_lines,
};

/// The income items of a year as the registration form lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IncomeItem {
    Wage,
    Production,
    Property,
    Transfer,
    ProductionExpense,
}

impl IncomeItem {
    pub const ALL: [IncomeItem; 5] = [
        IncomeItem::Wage,
        IncomeItem::Production,
        IncomeItem::Property,
        IncomeItem::Transfer,
        IncomeItem::ProductionExpense,
    ];

    /// The amount of this item in `i`, yuan.
    pub fn amount(self, i: &IncomeYear) -> f64 {
        match self {
            IncomeItem::Wage => i.wage_yuan,
            IncomeItem::Production => i.production_yuan,
            IncomeItem::Property => i.property_yuan,
            IncomeItem::Transfer => i.transfer_yuan,
            IncomeItem::ProductionExpense => i.production_expense_yuan,
        }
    }
}

impl Label for IncomeItem {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            IncomeItem::Wage => lang.pick("工资性收入", "Wage income"),
            IncomeItem::Production => lang.pick("生产经营性收入", "Production and business income"),
            IncomeItem::Property => lang.pick("财产性收入", "Property income"),
            IncomeItem::Transfer => lang.pick("转移性收入", "Transfer income"),
            IncomeItem::ProductionExpense => {
                lang.pick("生产经营性支出", "Production and business expenses")
            }
        }
    }
}

/// Net income of the household for the year: wage + production/business + property + transfer
/// − production/business expenses.
pub fn net_income(i: &IncomeYear) -> f64 {
    i.wage_yuan + i.production_yuan + i.property_yuan + i.transfer_yuan - i.production_expense_yuan
}

/// Per-capita net income: net income ÷ household size; `None` for a household without members.
pub fn per_capita(i: &IncomeYear, size: usize) -> Option<f64> {
    (size > 0).then(|| net_income(i) / size as f64)
}

/// An amount in whole fen, the precision at which incomes are shown and compared.
fn fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

/// Formats an amount of yuan the way every rule message shows it: always two decimals.
pub fn yuan(amount: f64) -> String {
    format!("{amount:.2}")
}

/// Yuan as screens and reports show them: thousands separators, fen only when there are any
/// (12,345 or 3,999.60). Never rounds to whole yuan, so 3,999.60 is not shown as the line 4,000
/// it fails to reach.
pub fn grouped_yuan(amount: f64) -> String {
    let fen = (amount * 100.0).round() as i64;
    let whole = (fen.unsigned_abs() / 100).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let cents = fen.unsigned_abs() % 100;
    if cents != 0 {
        out.push_str(&format!(".{cents:02}"));
    }
    if fen < 0 { format!("-{out}") } else { out }
}

/// The income-standard table as the county edited it: per province and income year, the
/// poverty line (to 2020) and the monitoring threshold (2021 on), read for one province (see
/// [`PovertyLines::for_province`]; national rows only until one is chosen).
#[derive(Debug, Clone, PartialEq)]
pub struct PovertyLines {
    /// Sorted by province then year, one row per province and year.
    rows: Vec<PovertyLine>,
    /// The two-digit province code the figures are read for; empty: national figures only.
    province: String,
}

impl PovertyLines {
    /// Builds the table from rows in any order. If a province's year appears twice, the later
    /// row wins (it is the more recent edit).
    pub fn new(rows: Vec<PovertyLine>) -> Self {
        let mut rows = rows;
        rows.reverse();
        // Stable sort after reversing keeps the last-given row of a year first, so dedup keeps it.
        rows.sort_by(|a, b| (&a.province, a.year).cmp(&(&b.province, b.year)));
        rows.dedup_by(|a, b| a.province == b.province && a.year == b.year);
        PovertyLines {
            rows,
            province: String::new(),
        }
    }

    /// The same table read for the villages of `province` (the first two digits of a village or
    /// county code): its own rows of a year override the national row of that year.
    pub fn for_province(mut self, code: &str) -> Self {
        self.province = code.chars().take(2).collect();
        self
    }

    /// The province the figures are read for (empty: national).
    pub fn province(&self) -> &str {
        &self.province
    }

    /// The figure in force for each year of the chosen province, sorted by year.
    fn in_force(&self) -> impl Iterator<Item = &PovertyLine> {
        let own = |year: i32| {
            !self.province.is_empty()
                && self
                    .rows
                    .iter()
                    .any(|r| r.province == self.province && r.year == year)
        };
        let mut rows: Vec<&PovertyLine> = self
            .rows
            .iter()
            .filter(|r| r.province == self.province || (r.province.is_empty() && !own(r.year)))
            .collect();
        rows.sort_by_key(|r| r.year);
        rows.into_iter()
    }

    /// The latest figure of `kind` for a year at or before `year`.
    fn latest(&self, kind: StandardKind, year: i32) -> Option<&PovertyLine> {
        self.in_force()
            .filter(|r| r.kind() == kind && r.year <= year)
            .last()
    }

    /// The poverty line for incomes of `year`: the row of that exact year, else the row of the
    /// latest earlier year (the table may skip years in which the line was not revised). After
    /// 2020, the last poverty line (the floor below which a household is "below the line"; the
    /// watch band above it is the year's monitoring threshold, see [`PovertyLines::standard_for`]).
    /// `None` before the first year of the table, since no line then can be inferred.
    pub fn line_for(&self, year: i32) -> Option<f64> {
        self.latest(StandardKind::PovertyLine, year)
            .map(|r| r.line_yuan)
    }

    /// What incomes of `year` are judged against: the poverty line and the upper end of the
    /// watch band. Up to 2020 the band ends at `marginal_factor × line`; from 2021 at the year's
    /// monitoring threshold, or — for a year without one — the latest earlier threshold, or
    /// failing that `marginal_factor ×` the last poverty line, with the gap said in
    /// [`YearStandard::missing`]. `None` when no poverty line can be inferred.
    pub fn standard_for(&self, year: i32, t: &Thresholds) -> Option<YearStandard> {
        let line = self.latest(StandardKind::PovertyLine, year)?;
        let by_factor = line.line_yuan * t.marginal_factor;
        if StandardKind::of_year(year) == StandardKind::PovertyLine {
            return Some(YearStandard {
                year,
                line_yuan: line.line_yuan,
                warning_yuan: by_factor,
                missing: None,
            });
        }
        let (warning_yuan, missing) = match self.latest(StandardKind::MonitoringThreshold, year) {
            Some(r) if r.year == year => (r.line_yuan, None),
            Some(r) => (
                r.line_yuan,
                Some(MissingThreshold {
                    year,
                    used: UsedInstead::Threshold { year: r.year },
                }),
            ),
            None => (
                by_factor,
                Some(MissingThreshold {
                    year,
                    used: UsedInstead::LineTimesFactor {
                        year: line.year,
                        factor: t.marginal_factor,
                    },
                }),
            ),
        };
        Some(YearStandard {
            year,
            line_yuan: line.line_yuan,
            warning_yuan,
            missing,
        })
    }

    /// The warnings of the given income years, once each, in year order: every year after 2020
    /// without a monitoring threshold of its own.
    pub fn missing_for(
        &self,
        years: impl IntoIterator<Item = i32>,
        t: &Thresholds,
    ) -> Vec<MissingThreshold> {
        let mut years: Vec<i32> = years.into_iter().collect();
        years.sort_unstable();
        years.dedup();
        years
            .into_iter()
            .filter_map(|y| self.standard_for(y, t)?.missing)
            .collect()
    }

    /// Every row of every province, sorted by province then year.
    pub fn rows(&self) -> &[PovertyLine] {
        &self.rows
    }
}

impl Default for PovertyLines {
    fn default() -> Self {
        PovertyLines::new(default_poverty_lines())
    }
}

impl Label for StandardKind {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            StandardKind::PovertyLine => lang.pick("扶贫标准", "Poverty line"),
            StandardKind::MonitoringThreshold => lang.pick("监测标准", "Monitoring threshold"),
        }
    }
}

/// The figures incomes of one year are judged against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearStandard {
    pub year: i32,
    /// At or below it: below the line.
    pub line_yuan: f64,
    /// Below it (and above the line): in the watch band, marginal.
    pub warning_yuan: f64,
    /// Set when the year has no monitoring threshold of its own.
    pub missing: Option<MissingThreshold>,
}

impl YearStandard {
    /// Where a per-capita income stands: at or below the line, in the band, above it. Both
    /// ends compared in whole fen; "above" the line means strictly greater.
    pub fn standing(&self, per_capita: f64) -> IncomeStanding {
        let income = fen(per_capita);
        if income <= fen(self.line_yuan) {
            IncomeStanding::Below
        } else if income < fen(self.warning_yuan) {
            IncomeStanding::Marginal
        } else {
            IncomeStanding::Above
        }
    }
}

/// A year after 2020 without a monitoring threshold of its own, and what it was judged against
/// instead: shown wherever that year's judgement is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MissingThreshold {
    pub year: i32,
    pub used: UsedInstead,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UsedInstead {
    /// The latest earlier year's threshold.
    Threshold { year: i32 },
    /// No threshold at all before it: `factor ×` the poverty line of `year`.
    LineTimesFactor { year: i32, factor: f64 },
}

impl Localize for MissingThreshold {
    fn localize(&self, lang: Lang) -> String {
        let year = self.year;
        match (self.used, lang) {
            (UsedInstead::Threshold { year: from }, Lang::Zh) => {
                format!("{year}年无监测标准，暂按{from}年")
            }
            (UsedInstead::Threshold { year: from }, Lang::En) => {
                format!("No monitoring threshold for {year}; using {from}'s")
            }
            (UsedInstead::LineTimesFactor { year: from, factor }, Lang::Zh) => {
                format!("{year}年无监测标准，暂按{from}年扶贫标准的{factor}倍")
            }
            (UsedInstead::LineTimesFactor { year: from, factor }, Lang::En) => {
                format!(
                    "No monitoring threshold for {year}; using {factor} × {from}'s poverty line"
                )
            }
        }
    }
}

/// The upper end of the warning band above the line: `marginal_factor × line` (the rule up to
/// 2020; later years use [`PovertyLines::standard_for`]).
pub fn warning_line(line_yuan: f64, t: &Thresholds) -> f64 {
    line_yuan * t.marginal_factor
}

/// Where a per-capita income stands against the line of its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomeStanding {
    /// At or below the line: not "above the line" in the sense of the exit standard.
    Below,
    /// Strictly above the line but strictly below `marginal_factor × line`.
    Marginal,
    /// At or above `marginal_factor × line`.
    Above,
}

impl Label for IncomeStanding {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            IncomeStanding::Below => lang.pick("未超过扶贫标准", "At or below the poverty line"),
            IncomeStanding::Marginal => lang.pick(
                "边缘（超过标准但在监测范围内）",
                "Marginal (above the line, within the warning band)",
            ),
            IncomeStanding::Above => lang.pick("高于监测范围", "Above the warning band"),
        }
    }
}

/// Classifies a per-capita income against a poverty line `line` with the band of up to 2020
/// (`marginal_factor × line`). "Above the line" means strictly greater: a household exactly at
/// the line is `Below`. The band's upper end is exclusive too, following the 2020 rule "income
/// below 1.5 × the line". Years after 2020 are judged by [`YearStandard::standing`].
pub fn classify(per_capita: f64, line: f64, t: &Thresholds) -> IncomeStanding {
    YearStandard {
        year: 0,
        line_yuan: line,
        warning_yuan: warning_line(line, t),
        missing: None,
    }
    .standing(per_capita)
}

/// A household's income figures for one year, as the screens and rules show them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncomeFigures {
    pub year: i32,
    pub net_yuan: f64,
    pub per_capita_yuan: f64,
    pub line_yuan: f64,
    /// The upper end of the watch band of the year (see [`PovertyLines::standard_for`]).
    pub warning_yuan: f64,
    /// Set when the year has no monitoring threshold of its own.
    pub missing: Option<MissingThreshold>,
    pub standing: IncomeStanding,
}

/// The figures of `year`, or `None` when the household has no income record for that year, no
/// members that year, or the table has no line for that year. The income is divided by the
/// members of that year (`membership::size_in`), never by today's size.
pub fn figures(
    rec: &HouseholdRecord,
    year: i32,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Option<IncomeFigures> {
    let income = rec.income_of(year)?;
    let per_capita_yuan = per_capita(income, super::membership::size_in(rec, year))?;
    let standard = lines.standard_for(year, t)?;
    Some(IncomeFigures {
        year,
        net_yuan: net_income(income),
        per_capita_yuan,
        line_yuan: standard.line_yuan,
        warning_yuan: standard.warning_yuan,
        missing: standard.missing,
        standing: standard.standing(per_capita_yuan),
    })
}

/// The figures of the latest year that has an income record (no fallback to earlier years: an
/// old year would describe a situation that no longer holds).
pub fn latest_figures(
    rec: &HouseholdRecord,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Option<IncomeFigures> {
    figures(rec, rec.latest_income()?.year, lines, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HouseholdStatus;
    use crate::rules::fixtures::*;

    fn income(
        wage: f64,
        production: f64,
        property: f64,
        transfer: f64,
        expense: f64,
    ) -> IncomeYear {
        IncomeYear {
            id: uuid::Uuid::nil(),
            household_id: uuid::Uuid::nil(),
            year: 2016,
            wage_yuan: wage,
            production_yuan: production,
            property_yuan: property,
            transfer_yuan: transfer,
            production_expense_yuan: expense,
        }
    }

    #[test]
    fn worked_example_of_per_capita_net_income() {
        // 6000 wage + 3000 production + 200 property + 1365 transfer − 2000 expenses = 8565;
        // a household of 3 → 2855 per person, exactly the 2016 line.
        let i = income(6000.0, 3000.0, 200.0, 1365.0, 2000.0);
        assert_eq!(net_income(&i), 8565.0);
        assert_eq!(per_capita(&i, 3), Some(2855.0));
        assert_eq!(per_capita(&i, 0), None);
        let t = Thresholds::default();
        assert_eq!(classify(2855.0, 2855.0, &t), IncomeStanding::Below);
    }

    #[test]
    fn exactly_at_the_line_is_not_above() {
        let t = Thresholds::default();
        assert_eq!(classify(2855.0, 2855.0, &t), IncomeStanding::Below);
        assert_eq!(classify(2854.99, 2855.0, &t), IncomeStanding::Below);
        assert_eq!(classify(2855.01, 2855.0, &t), IncomeStanding::Marginal);
        // A sum that floating point makes a hair above 2855 is still "2855.00", still not above.
        let i = income(1000.1, 1854.9, 0.0, 0.0, 0.0);
        assert_eq!(
            classify(per_capita(&i, 1).unwrap(), 2855.0, &t),
            IncomeStanding::Below
        );
    }

    #[test]
    fn marginal_band_runs_to_one_and_a_half_times_the_line() {
        // 2016 line 2855 → warning line 4282.5 (exclusive).
        let t = Thresholds::default();
        assert_eq!(warning_line(2855.0, &t), 4282.5);
        assert_eq!(classify(3000.0, 2855.0, &t), IncomeStanding::Marginal);
        assert_eq!(classify(4282.49, 2855.0, &t), IncomeStanding::Marginal);
        assert_eq!(classify(4282.5, 2855.0, &t), IncomeStanding::Above);
        // The factor is a county setting.
        let t = Thresholds {
            marginal_factor: 2.0,
            ..Thresholds::default()
        };
        assert_eq!(classify(5000.0, 2855.0, &t), IncomeStanding::Marginal);
        assert_eq!(classify(5710.0, 2855.0, &t), IncomeStanding::Above);
    }

    #[test]
    fn line_for_uses_exact_year_else_latest_earlier() {
        let lines = domain_lines();
        assert_eq!(lines.line_for(2016), Some(2855.0));
        assert_eq!(lines.line_for(2013), Some(2736.0));
        assert_eq!(lines.line_for(2014), Some(2736.0)); // no 2014 row: 2013's line
        assert_eq!(lines.line_for(2018), Some(3026.0));
        assert_eq!(lines.line_for(2025), Some(4000.0));
        assert_eq!(lines.line_for(2012), None);
        assert_eq!(PovertyLines::new(vec![]).line_for(2016), None);
    }

    #[test]
    fn table_is_sorted_and_a_later_row_of_a_year_wins() {
        let row = PovertyLine::national;
        let lines = PovertyLines::new(vec![
            row(2016, 2952.0),
            row(2015, 2800.0),
            row(2016, 2855.0),
        ]);
        assert_eq!(lines.rows(), &[row(2015, 2800.0), row(2016, 2855.0)]);
        assert_eq!(lines.line_for(2016), Some(2855.0));
    }

    #[test]
    fn default_table_is_the_model_default() {
        let lines = PovertyLines::default();
        assert_eq!(lines.rows().len(), default_poverty_lines().len());
        assert_eq!(lines.line_for(2013), Some(2736.0));
        assert_eq!(lines.line_for(2020), Some(4000.0));
    }

    #[test]
    fn figures_of_a_year_and_of_the_latest_year() {
        let lines = domain_lines();
        let t = Thresholds::default();
        let mut rec = household("001", HouseholdStatus::Registered);
        add_adults(&mut rec, 3);
        add_income(&mut rec, 2015, 6000.0);
        add_income(&mut rec, 2016, 9000.0);

        let f = figures(&rec, 2016, &lines, &t).unwrap();
        assert_eq!(f.year, 2016);
        assert_eq!(f.net_yuan, 9000.0);
        assert_eq!(f.per_capita_yuan, 3000.0);
        assert_eq!(f.line_yuan, 2855.0);
        assert_eq!(f.standing, IncomeStanding::Marginal);
        assert_eq!(latest_figures(&rec, &lines, &t), Some(f));

        let f2015 = figures(&rec, 2015, &lines, &t).unwrap();
        assert_eq!(f2015.per_capita_yuan, 2000.0);
        assert_eq!(f2015.standing, IncomeStanding::Below);

        assert_eq!(figures(&rec, 2017, &lines, &t), None); // no record
        add_income(&mut rec, 2012, 9000.0);
        assert_eq!(figures(&rec, 2012, &lines, &t), None); // before the table
        rec.members.clear();
        assert_eq!(figures(&rec, 2016, &lines, &t), None); // no members
        assert_eq!(
            latest_figures(&household("002", HouseholdStatus::Registered), &lines, &t),
            None
        );
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(IncomeStanding::Below.label(Lang::Zh), "未超过扶贫标准");
        assert!(
            IncomeStanding::Marginal
                .label(Lang::En)
                .contains("Marginal")
        );
        assert_eq!(IncomeItem::Transfer.label(Lang::Zh), "转移性收入");
        let i = income(1.0, 2.0, 3.0, 4.0, 5.0);
        let amounts: Vec<f64> = IncomeItem::ALL.iter().map(|item| item.amount(&i)).collect();
        assert_eq!(amounts, [1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(yuan(2855.0), "2855.00");
        assert_eq!(yuan(4282.5), "4282.50");
    }

    fn sichuan_and_yunnan() -> PovertyLines {
        PovertyLines::default()
    }

    #[test]
    fn a_year_after_2020_is_judged_against_its_monitoring_threshold() {
        let t = Thresholds::default();
        let lines = sichuan_and_yunnan().for_province("510824105201");
        let s2024 = lines.standard_for(2024, &t).unwrap();
        assert_eq!(s2024.line_yuan, 4000.0);
        assert_eq!(s2024.warning_yuan, 7300.0);
        assert_eq!(s2024.missing, None);
        // 6,000 a head in 2024 is above the 2020 line but inside the watch band: not "above".
        assert_eq!(s2024.standing(6000.0), IncomeStanding::Marginal);
        assert_eq!(s2024.standing(7299.99), IncomeStanding::Marginal);
        assert_eq!(s2024.standing(7300.0), IncomeStanding::Above);
        assert_eq!(s2024.standing(4000.0), IncomeStanding::Below);
        // Up to 2020 the band is still the factor times the line.
        let s2020 = lines.standard_for(2020, &t).unwrap();
        assert_eq!((s2020.line_yuan, s2020.warning_yuan), (4000.0, 6000.0));
        assert_eq!(s2020.missing, None);
    }

    #[test]
    fn a_year_without_a_threshold_uses_the_latest_earlier_one_and_says_so() {
        let t = Thresholds::default();
        let sichuan = sichuan_and_yunnan().for_province("51");
        let s2025 = sichuan.standard_for(2025, &t).unwrap();
        assert_eq!(s2025.warning_yuan, 7300.0);
        let missing = s2025.missing.unwrap();
        assert_eq!(missing.used, UsedInstead::Threshold { year: 2024 });
        assert_eq!(missing.localize(Lang::Zh), "2025年无监测标准，暂按2024年");
        assert_eq!(
            missing.localize(Lang::En),
            "No monitoring threshold for 2025; using 2024's"
        );
        // 8,000 a head in 2025 is above Sichuan's borrowed 7,300 but within Yunnan's 8,700.
        assert_eq!(s2025.standing(8000.0), IncomeStanding::Above);
        let yunnan = sichuan_and_yunnan().for_province("530102");
        let y2025 = yunnan.standard_for(2025, &t).unwrap();
        assert_eq!((y2025.warning_yuan, y2025.missing), (8700.0, None));
        assert_eq!(y2025.standing(8000.0), IncomeStanding::Marginal);
        // Yunnan's 2026 borrows its own 2025 figure, not the national 2024 one.
        assert_eq!(
            yunnan.standard_for(2026, &t).unwrap().missing.unwrap().used,
            UsedInstead::Threshold { year: 2025 }
        );
        // Nationally (no province chosen) 2025 has no figure either.
        assert!(
            sichuan_and_yunnan()
                .standard_for(2025, &t)
                .unwrap()
                .missing
                .is_some()
        );
    }

    #[test]
    fn with_no_threshold_at_all_the_band_is_the_factor_times_the_last_line_and_says_so() {
        let t = Thresholds::default();
        let lines = domain_lines();
        let s = lines.standard_for(2022, &t).unwrap();
        assert_eq!((s.line_yuan, s.warning_yuan), (4000.0, 6000.0));
        let missing = s.missing.unwrap();
        assert_eq!(
            missing.localize(Lang::Zh),
            "2022年无监测标准，暂按2020年扶贫标准的1.5倍"
        );
        assert_eq!(
            missing.localize(Lang::En),
            "No monitoring threshold for 2022; using 1.5 × 2020's poverty line"
        );
        assert_eq!(lines.standard_for(2012, &t), None);
        assert_eq!(
            lines
                .missing_for([2025, 2016, 2022, 2025], &t)
                .iter()
                .map(|m| m.year)
                .collect::<Vec<_>>(),
            [2022, 2025]
        );
    }

    #[test]
    fn a_province_row_overrides_the_national_row_of_its_year_only() {
        let t = Thresholds::default();
        let mut rows = default_poverty_lines();
        rows.push(PovertyLine {
            province: "51".into(),
            ..PovertyLine::national(2022, 6600.0)
        });
        let sichuan = PovertyLines::new(rows.clone()).for_province("51");
        assert_eq!(sichuan.standard_for(2022, &t).unwrap().warning_yuan, 6600.0);
        assert_eq!(sichuan.standard_for(2023, &t).unwrap().warning_yuan, 6900.0);
        let guizhou = PovertyLines::new(rows).for_province("52");
        assert_eq!(guizhou.standard_for(2022, &t).unwrap().warning_yuan, 6500.0);
        // A threshold row is never taken for the poverty line of a later year.
        assert_eq!(sichuan.line_for(2024), Some(4000.0));
    }

    #[test]
    fn the_figures_of_a_2025_income_carry_the_threshold_and_its_warning() {
        let lines = PovertyLines::default().for_province("51");
        let t = Thresholds::default();
        let mut rec = household("001", HouseholdStatus::Exited { year: 2019 });
        add_adults(&mut rec, 2);
        add_income(&mut rec, 2025, 10_000.0);
        let f = figures(&rec, 2025, &lines, &t).unwrap();
        assert_eq!(f.per_capita_yuan, 5000.0);
        assert_eq!(f.warning_yuan, 7300.0);
        assert_eq!(f.standing, IncomeStanding::Marginal);
        assert_eq!(f.missing.unwrap().year, 2025);
    }
}
