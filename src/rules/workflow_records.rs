//! Field validation of the six-precisions workflow records (helpers, team, projects, measures,
//! funds, visits, surveys, exits, products, sales, trainings), shared by the forms and the store.
//! Like `registry`, each function returns every problem at once so a form can mark all wrong
//! fields in one pass, and the bounds are data-entry sanity limits, not county policy.

use chrono::{Datelike, NaiveDate};

use super::registry::{IncomeItem, MAX_AMOUNT_YUAN, MAX_NAME_CHARS, MIN_INCOME_YEAR, Problem};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    ExitDecision, FundEntry, Helper, Measure, Product, Project, Sale, SurveyState, TeamMember,
    Training, Visit, VisitIncome,
};

/// Most hours one training record may hold: more is a typing error (a year of full-time courses
/// is about 2000 hours).
pub const MAX_TRAINING_HOURS: f64 = 2000.0;

/// A field of a workflow form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkField {
    Name,
    Unit,
    Phone,
    TermEnd,
    Budget,
    EndDate,
    Amount,
    DueDate,
    ExpectedIncome,
    Date,
    Visitors,
    IncomeYear,
    Income(IncomeItem),
    Year,
    OverrideReason,
    ConfirmedOn,
    ConfirmedBy,
    Volume,
    Price,
    Quantity,
    PersonName,
    Course,
    Hours,
    FileName,
}

impl Label for WorkField {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            WorkField::Name => lang.pick("名称/姓名", "Name"),
            WorkField::Unit => lang.pick("单位", "Unit"),
            WorkField::Phone => lang.pick("联系电话", "Phone"),
            WorkField::TermEnd => lang.pick("任期结束", "End of term"),
            WorkField::Budget => lang.pick("预算（元）", "Budget (yuan)"),
            WorkField::EndDate => lang.pick("结束日期", "End date"),
            WorkField::Amount => lang.pick("金额（元）", "Amount (yuan)"),
            WorkField::DueDate => lang.pick("完成期限", "Due date"),
            WorkField::ExpectedIncome => lang.pick("预期增收（元）", "Expected income (yuan)"),
            WorkField::Date => lang.pick("日期", "Date"),
            WorkField::ConfirmedBy => lang.pick("确认人", "Confirmed by"),
            WorkField::Visitors => lang.pick("走访人", "Visitors"),
            WorkField::IncomeYear => lang.pick("收入年度", "Income year"),
            WorkField::Income(item) => item.label(lang),
            WorkField::Year => lang.pick("年度", "Year"),
            WorkField::OverrideReason => lang.pick("调整理由", "Reason for the override"),
            WorkField::ConfirmedOn => lang.pick("确认日期", "Confirmation date"),
            WorkField::Volume => lang.pick("产量", "Volume"),
            WorkField::Price => lang.pick("单价（元）", "Price (yuan)"),
            WorkField::Quantity => lang.pick("数量", "Quantity"),
            WorkField::PersonName => lang.pick("参训人", "Trainee"),
            WorkField::Course => lang.pick("培训内容", "Course"),
            WorkField::Hours => lang.pick("学时", "Hours"),
            WorkField::FileName => lang.pick("文件名", "File name"),
        }
    }
}

/// What is wrong with a workflow field: a registry problem, or one only workflow records have.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkProblem {
    #[error("{0}")]
    Field(Problem),
    #[error("{end} is before {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("the confirmed identification differs from the computed one without a reason")]
    OverrideWithoutReason,
    #[error("{name} is not on the village team")]
    ConfirmerNotOnTeam { name: String },
    #[error("paid on {paid}, before its measure starts on {start}")]
    PaidBeforeMeasureStarts { paid: NaiveDate, start: NaiveDate },
}

impl Localize for WorkProblem {
    fn localize(&self, lang: Lang) -> String {
        match self {
            WorkProblem::Field(problem) => problem.localize(lang),
            WorkProblem::EndBeforeStart { start, end } => match lang {
                Lang::Zh => format!("{end}早于开始日期{start}，请核对"),
                Lang::En => format!("{end} is before the start date {start}; check it"),
            },
            WorkProblem::ConfirmerNotOnTeam { name } => match lang {
                Lang::Zh => format!("{name}不在本村驻村工作队名单中；确认人须从工作队中选择"),
                Lang::En => format!(
                    "{name} is not on the village team; the person confirming is chosen from the team"
                ),
            },
            WorkProblem::PaidBeforeMeasureStarts { paid, start } => match lang {
                Lang::Zh => format!(
                    "支付日期{paid}早于该措施的开始日期{start}；请核对日期，或选择正确的措施"
                ),
                Lang::En => format!(
                    "paid on {paid}, before the measure starts on {start}; check the date or choose the right measure"
                ),
            },
            WorkProblem::OverrideWithoutReason => lang
                .pick(
                    "确认结果与系统计算的识别结果不同，必须写明理由",
                    "the confirmed identification differs from the computed one; give the reason",
                )
                .to_string(),
        }
    }
}

/// A problem in one field of a workflow record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field:?}: {problem}")]
pub struct WorkFieldError {
    pub field: WorkField,
    pub problem: WorkProblem,
}

impl Localize for WorkFieldError {
    fn localize(&self, lang: Lang) -> String {
        let field = self.field.label(lang);
        let problem = self.problem.localize(lang);
        match lang {
            Lang::Zh => format!("{field}：{problem}"),
            Lang::En => format!("{field}: {problem}"),
        }
    }
}

/// Collects the problems of one record.
#[derive(Default)]
struct Errors(Vec<WorkFieldError>);

impl Errors {
    fn push(&mut self, field: WorkField, problem: WorkProblem) {
        self.0.push(WorkFieldError { field, problem });
    }

    fn problem(&mut self, field: WorkField, problem: Problem) {
        self.push(field, WorkProblem::Field(problem));
    }

    /// Required text, optionally of at most `max` characters.
    /// A phone number is optional, but when given it must be well formed.
    fn phone(&mut self, phone: &str) {
        let phone = phone.trim();
        if !phone.is_empty()
            && let Err(problem) = super::registry::check_phone(phone)
        {
            self.problem(WorkField::Phone, problem);
        }
    }

    fn text(&mut self, field: WorkField, text: &str, max: Option<usize>) {
        let text = text.trim();
        let len = text.chars().count();
        if text.is_empty() {
            self.problem(field, Problem::Required);
        } else if let Some(max) = max.filter(|max| len > *max) {
            self.problem(field, Problem::TooLong { len, max });
        }
    }

    /// A finite, non-negative figure; below [`MAX_AMOUNT_YUAN`] when it is money.
    fn figure(&mut self, field: WorkField, value: f64, max: Option<f64>) {
        if !value.is_finite() {
            self.problem(field, Problem::NotANumber);
        } else if value < 0.0 {
            self.problem(field, Problem::Negative(value));
        } else if let Some(max) = max.filter(|max| value >= *max) {
            self.problem(field, Problem::TooLarge { value, max });
        }
    }

    fn money(&mut self, field: WorkField, value: f64) {
        self.figure(field, value, Some(MAX_AMOUNT_YUAN));
    }

    fn not_before(&mut self, field: WorkField, start: NaiveDate, end: Option<NaiveDate>) {
        if let Some(end) = end.filter(|end| *end < start) {
            self.push(field, WorkProblem::EndBeforeStart { start, end });
        }
    }

    fn year(&mut self, field: WorkField, year: i32, max: i32) {
        let min = MIN_INCOME_YEAR;
        if !(min..=max).contains(&year) {
            self.problem(field, Problem::YearOutOfRange { year, min, max });
        }
    }

    fn done(self) -> Vec<WorkFieldError> {
        self.0
    }
}

/// A helper needs a name and the unit they come from.
pub fn validate_helper(h: &Helper) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.text(WorkField::Name, &h.name, Some(MAX_NAME_CHARS));
    e.text(WorkField::Unit, &h.unit, None);
    e.phone(&h.phone);
    e.done()
}

pub fn validate_team_member(m: &TeamMember) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.text(WorkField::Name, &m.name, Some(MAX_NAME_CHARS));
    e.phone(&m.phone);
    e.not_before(WorkField::TermEnd, m.term_start, m.term_end);
    e.done()
}

pub fn validate_project(p: &Project) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.text(WorkField::Name, &p.name, None);
    e.money(WorkField::Budget, p.budget_yuan);
    e.not_before(WorkField::EndDate, p.start, p.end);
    e.done()
}

pub fn validate_measure(m: &Measure) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.money(WorkField::Amount, m.amount_yuan);
    e.money(WorkField::ExpectedIncome, m.expected_income_yuan);
    e.not_before(WorkField::DueDate, m.start, Some(m.due));
    e.done()
}

/// A fund entry needs a plausible amount. One without a project or household is accepted: the
/// Funds panel shows such "scattered" entries rather than the form hiding them.
/// A fund entry: a plausible amount, and when it pays a measure that starts on `measure_start`,
/// not dated before that day (money cannot go to a measure that has not begun).
pub fn validate_fund(f: &FundEntry, measure_start: Option<NaiveDate>) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.money(WorkField::Amount, f.amount_yuan);
    if let Some(start) = measure_start
        && f.measure_id.is_some()
        && f.date < start
    {
        e.push(
            WorkField::Date,
            WorkProblem::PaidBeforeMeasureStarts {
                paid: f.date,
                start,
            },
        );
    }
    e.done()
}

/// A visit may not lie in the future. A draft (autosaved while the form is open) may be
/// incomplete; a finished visit names its visitors. Updated income figures follow the registry's
/// income rules.
pub fn validate_visit(v: &Visit, today: NaiveDate) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    if v.date > today {
        e.problem(WorkField::Date, Problem::InFuture(v.date));
    }
    if !v.is_draft {
        e.text(WorkField::Visitors, &v.visitors, None);
    }
    if let Some(income) = &v.income {
        e.year(WorkField::IncomeYear, income.year, today.year());
        for item in IncomeItem::ALL {
            if let Some(amount) = visit_income_item(income, item)
                && let Err(problem) = super::registry::validate_amount(amount)
            {
                e.problem(WorkField::Income(item), problem);
            }
        }
    }
    e.done()
}

/// The amount of one income item updated at a visit, if it was asked.
pub fn visit_income_item(i: &VisitIncome, item: IncomeItem) -> Option<f64> {
    match item {
        IncomeItem::Wage => i.wage_yuan,
        IncomeItem::Production => i.production_yuan,
        IncomeItem::Property => i.property_yuan,
        IncomeItem::Transfer => i.transfer_yuan,
        IncomeItem::ProductionExpense => i.production_expense_yuan,
    }
}

/// A survey's year is plausible; a confirmation that differs from the computed identification
/// carries its reason.
/// The person confirming an identification or an exit: named, and a person of the village team
/// (records confirmed years ago name people whose terms have since ended, so any term counts).
fn confirmer(e: &mut Errors, name: &str, team: &[TeamMember]) {
    let name = name.trim();
    if name.is_empty() {
        e.problem(WorkField::ConfirmedBy, Problem::Required);
    } else if !team.iter().any(|m| m.name.trim() == name) {
        e.push(
            WorkField::ConfirmedBy,
            WorkProblem::ConfirmerNotOnTeam {
                name: name.to_string(),
            },
        );
    }
}

/// A survey as saved; once its identification is confirmed, the person confirming it is named
/// and on the village `team`.
pub fn validate_survey(
    s: &SurveyState,
    today: NaiveDate,
    team: &[TeamMember],
) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    if s.confirmed_identification.is_some() {
        confirmer(&mut e, &s.confirmed_by, team);
    }
    e.year(WorkField::Year, s.year, today.year());
    if let Some(confirmed) = s.confirmed_identification
        && s.computed_identification != Some(confirmed)
        && s.override_reason.trim().is_empty()
    {
        e.push(
            WorkField::OverrideReason,
            WorkProblem::OverrideWithoutReason,
        );
    }
    if let Some(on) = s.confirmed_on.filter(|on| *on > today) {
        e.problem(WorkField::ConfirmedOn, Problem::InFuture(on));
    }
    e.done()
}

/// An exit proposal, or its confirmation by a person of the village `team`.
pub fn validate_exit(
    d: &ExitDecision,
    today: NaiveDate,
    team: &[TeamMember],
) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    if d.confirmed_on.is_some() {
        confirmer(&mut e, &d.confirmed_by, team);
    }
    e.year(WorkField::Year, d.proposed_year, today.year());
    e.not_before(WorkField::ConfirmedOn, d.proposed_on, d.confirmed_on);
    if let Some(on) = d.confirmed_on.filter(|on| *on > today) {
        e.problem(WorkField::ConfirmedOn, Problem::InFuture(on));
    }
    e.done()
}

pub fn validate_product(p: &Product) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.text(WorkField::Name, &p.name, None);
    e.figure(WorkField::Volume, p.volume, None);
    e.money(WorkField::Price, p.price_yuan);
    e.done()
}

pub fn validate_sale(s: &Sale) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.money(WorkField::Amount, s.amount_yuan);
    e.figure(WorkField::Quantity, s.quantity, None);
    e.done()
}

pub fn validate_training(t: &Training) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.text(WorkField::PersonName, &t.person_name, Some(MAX_NAME_CHARS));
    e.text(WorkField::Course, &t.course, None);
    e.figure(WorkField::Hours, t.hours, Some(MAX_TRAINING_HOURS));
    e.done()
}

/// A photo needs a file name (the bytes' limits are the store's).
pub fn validate_photo_name(file_name: &str) -> Vec<WorkFieldError> {
    let mut e = Errors::default();
    e.text(WorkField::FileName, file_name, None);
    e.done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::rules::fixtures::date;
    use uuid::Uuid;

    fn today() -> NaiveDate {
        date(2017, 9, 1)
    }

    fn fields(errors: &[WorkFieldError]) -> Vec<WorkField> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn helper_needs_name_and_unit() {
        let h = Helper {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: " ".into(),
            unit: String::new(),
            phone: String::new(),
            household_ids: vec![],
        };
        let errors = validate_helper(&h);
        assert_eq!(fields(&errors), [WorkField::Name, WorkField::Unit]);
        assert_eq!(errors[0].localize(Lang::Zh), "名称/姓名：必须填写");
        assert_eq!(errors[1].localize(Lang::En), "Unit: this field is required");
    }

    #[test]
    fn end_before_start_is_refused_with_both_dates() {
        let m = TeamMember {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: "县财政局".into(),
            phone: String::new(),
            term_start: date(2016, 3, 1),
            term_end: Some(date(2016, 2, 1)),
        };
        let errors = validate_team_member(&m);
        assert_eq!(fields(&errors), [WorkField::TermEnd]);
        assert_eq!(
            errors[0].localize(Lang::Zh),
            "任期结束：2016-02-01早于开始日期2016-03-01，请核对"
        );
        let open = TeamMember {
            term_end: None,
            ..m
        };
        assert!(validate_team_member(&open).is_empty());
    }

    #[test]
    fn measure_amounts_and_due_date() {
        let m = Measure {
            id: Uuid::new_v4(),
            household_id: Uuid::nil(),
            kind: MeasureKind::Health,
            description: String::new(),
            helper_id: None,
            helper_unit: String::new(),
            project_id: None,
            fund_source: FundSource::County,
            amount_yuan: -1.0,
            start: date(2017, 3, 1),
            due: date(2017, 1, 1),
            expected_income_yuan: f64::NAN,
            status: MeasureStatus::Planned,
        };
        assert_eq!(
            fields(&validate_measure(&m)),
            [
                WorkField::Amount,
                WorkField::ExpectedIncome,
                WorkField::DueDate
            ]
        );
        let big = Measure {
            amount_yuan: MAX_AMOUNT_YUAN,
            expected_income_yuan: 0.0,
            due: date(2017, 12, 31),
            ..m
        };
        let errors = validate_measure(&big);
        assert_eq!(fields(&errors), [WorkField::Amount]);
        assert!(matches!(
            errors[0].problem,
            WorkProblem::Field(Problem::TooLarge { .. })
        ));
    }

    fn visit() -> Visit {
        Visit {
            id: Uuid::new_v4(),
            household_id: Uuid::nil(),
            date: today(),
            visitors: String::new(),
            kind: VisitKind::Routine,
            notes: String::new(),
            checklist: VisitChecklist::default(),
            income: Some(VisitIncome {
                year: 2017,
                wage_yuan: Some(-5.0),
                production_yuan: None,
                property_yuan: None,
                transfer_yuan: None,
                production_expense_yuan: None,
            }),
            risk_events: vec![],
            problems: String::new(),
            next_actions: String::new(),
            is_draft: true,
        }
    }

    #[test]
    fn a_draft_visit_may_be_incomplete_but_not_wrong() {
        let draft = visit();
        assert_eq!(
            fields(&validate_visit(&draft, today())),
            [WorkField::Income(IncomeItem::Wage)]
        );
        let finished = Visit {
            is_draft: false,
            date: date(2017, 9, 2),
            ..draft
        };
        assert_eq!(
            fields(&validate_visit(&finished, today())),
            [
                WorkField::Date,
                WorkField::Visitors,
                WorkField::Income(IncomeItem::Wage)
            ]
        );
    }

    #[test]
    fn an_override_needs_its_reason() {
        let mut s = SurveyState {
            id: Uuid::new_v4(),
            household_id: Uuid::nil(),
            year: 2016,
            status: SurveyStatus::Complete,
            computed_identification: Some(Identification::Marginal),
            confirmed_identification: Some(Identification::Marginal),
            override_reason: String::new(),
            confirmed_by: "张书记".into(),
            confirmed_on: Some(today()),
        };
        let team = [secretary()];
        assert!(validate_survey(&s, today(), &team).is_empty());
        s.confirmed_identification = Some(Identification::RegisteredPoor);
        let errors = validate_survey(&s, today(), &team);
        assert_eq!(fields(&errors), [WorkField::OverrideReason]);
        assert!(errors[0].localize(Lang::En).contains("give the reason"));
        s.override_reason = "户主突发大病，医疗支出大".into();
        assert!(validate_survey(&s, today(), &team).is_empty());
        s.year = 2018;
        assert_eq!(
            fields(&validate_survey(&s, today(), &team)),
            [WorkField::Year]
        );
    }

    fn secretary() -> TeamMember {
        TeamMember {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: "县财政局".into(),
            phone: String::new(),
            term_start: date(2016, 3, 1),
            term_end: None,
        }
    }

    #[test]
    fn a_confirmation_names_a_person_of_the_village_team() {
        let mut d = ExitDecision {
            id: Uuid::new_v4(),
            household_id: Uuid::nil(),
            proposed_on: date(2017, 8, 1),
            proposed_year: 2016,
            confirmed_on: None,
            confirmed_by: String::new(),
        };
        let team = [secretary()];
        assert!(
            validate_exit(&d, today(), &team).is_empty(),
            "a proposal names nobody"
        );
        d.confirmed_on = Some(date(2017, 8, 20));
        assert_eq!(
            fields(&validate_exit(&d, today(), &team)),
            [WorkField::ConfirmedBy]
        );
        d.confirmed_by = "王五".into();
        let errors = validate_exit(&d, today(), &team);
        assert_eq!(
            errors[0].localize(Lang::Zh),
            "确认人：王五不在本村驻村工作队名单中；确认人须从工作队中选择"
        );
        d.confirmed_by = "张书记".into();
        assert!(validate_exit(&d, today(), &team).is_empty());
    }

    #[test]
    fn training_hours_and_names() {
        let t = Training {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            household_id: None,
            member_id: None,
            person_name: "王德明".into(),
            course: "猕猴桃修剪".into(),
            date: today(),
            hours: MAX_TRAINING_HOURS,
        };
        assert_eq!(fields(&validate_training(&t)), [WorkField::Hours]);
        assert!(validate_training(&Training { hours: 8.0, ..t }).is_empty());
        assert_eq!(fields(&validate_photo_name("")), [WorkField::FileName]);
    }

    #[test]
    fn a_payment_before_its_measure_starts_is_refused_with_both_dates() {
        let start = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
        let f = FundEntry {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            source: FundSource::Central,
            amount_yuan: 3000.0,
            date: NaiveDate::from_ymd_opt(2020, 2, 28).unwrap(),
            purpose: MeasureKind::Production,
            project_id: None,
            household_id: None,
            measure_id: Some(Uuid::new_v4()),
            note: String::new(),
        };
        let errors = validate_fund(&f, Some(start));
        assert_eq!(fields(&errors), [WorkField::Date]);
        assert_eq!(
            errors[0].problem.localize(Lang::Zh),
            "支付日期2020-02-28早于该措施的开始日期2020-03-01；请核对日期，或选择正确的措施"
        );
        assert!(
            validate_fund(
                &FundEntry {
                    date: start,
                    ..f.clone()
                },
                Some(start)
            )
            .is_empty()
        );
        assert!(
            validate_fund(
                &FundEntry {
                    measure_id: None,
                    ..f
                },
                Some(start)
            )
            .is_empty()
        );
    }
}
