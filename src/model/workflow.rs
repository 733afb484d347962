//! Plain data of the six-precisions workflow (六个精准): the people who answer for a village
//! (work team, assigned helpers), its projects and funds, each household's assistance plan,
//! follow-up visits, baseline survey and exit decision, and the village's products and sales.
//!
//! Links between records (a helper's households, a project's households, a product's producers)
//! are lists of household ids on the owning record, read back in household-number order; the
//! store keeps each link as its own row with a UUID and bookkeeping columns, so a removed link is
//! a tombstone that can travel in a sync bundle.
//!
//! Helpers and measures: a household may have no helper, one, or several (a household is often
//! paired with officials of two units). The assignment (`Helper::household_ids`) says who visits
//! and answers for the household; each `Measure` separately names the helper and the helper unit
//! (帮扶单位) answering for that measure. That is what lets the Measures panel see "same household,
//! same kind of measure, two units" (repeated, multi-head assistance) and the Personnel panel see
//! households with no helper at all, without a helper column on the household.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Certification, DiscoverySource, FundSource, Identification, MeasureKind, MeasureStatus,
    MonitoredKind, ProjectKind, RiskEvent, SalesChannel, SurveyStatus, TeamRole, VisitKind,
};

/// An assigned helper (帮扶责任人): an official of a paired unit, answering for some households.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Helper {
    pub id: Uuid,
    pub village_id: Uuid,
    pub name: String,
    /// The paired unit (帮扶单位) the helper comes from.
    pub unit: String,
    pub phone: String,
    /// The households assigned to this helper.
    pub household_ids: Vec<Uuid>,
}

/// A member of the village work team (驻村工作队), the first secretary included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: Uuid,
    pub village_id: Uuid,
    pub name: String,
    pub role: TeamRole,
    /// The sending unit (派出单位).
    pub unit: String,
    pub phone: String,
    pub term_start: NaiveDate,
    /// `None` while the term is open.
    pub term_end: Option<NaiveDate>,
}

impl TeamMember {
    /// True when the term covers `day` (both ends inclusive).
    pub fn serving_on(&self, day: NaiveDate) -> bool {
        self.term_start <= day && self.term_end.is_none_or(|end| day <= end)
    }
}

/// A village project (road, water, industry base, training…) and the households it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: Uuid,
    pub village_id: Uuid,
    pub name: String,
    pub kind: ProjectKind,
    pub budget_yuan: f64,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub household_ids: Vec<Uuid>,
}

/// One measure of a household's assistance plan (帮扶计划).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub id: Uuid,
    pub household_id: Uuid,
    pub kind: MeasureKind,
    pub description: String,
    /// The helper answering for this measure, when one is registered.
    pub helper_id: Option<Uuid>,
    /// The unit answering for this measure (帮扶单位); kept on the measure because a unit may act
    /// without a registered helper, and a helper may change units later.
    pub helper_unit: String,
    pub project_id: Option<Uuid>,
    pub fund_source: FundSource,
    pub amount_yuan: f64,
    pub start: NaiveDate,
    pub due: NaiveDate,
    /// Expected effect on the household's yearly net income.
    pub expected_income_yuan: f64,
    pub status: MeasureStatus,
}

/// One movement of money (资金): where it came from, what for, and who or what it reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundEntry {
    pub id: Uuid,
    pub village_id: Uuid,
    pub source: FundSource,
    pub amount_yuan: f64,
    pub date: NaiveDate,
    /// What the money is used for, in the categories of the assistance measures.
    pub purpose: MeasureKind,
    pub project_id: Option<Uuid>,
    pub household_id: Option<Uuid>,
    pub measure_id: Option<Uuid>,
    pub note: String,
}

/// 两不愁三保障 as seen at a visit; `None` means "not checked this time".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitChecklist {
    pub food: Option<bool>,
    pub clothing: Option<bool>,
    pub education: Option<bool>,
    pub medical: Option<bool>,
    pub housing: Option<bool>,
}

/// Income figures updated at a visit for one income year; `None` items were not asked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VisitIncome {
    pub year: i32,
    pub wage_yuan: Option<f64>,
    pub production_yuan: Option<f64>,
    pub property_yuan: Option<f64>,
    pub transfer_yuan: Option<f64>,
    pub production_expense_yuan: Option<f64>,
}

/// A follow-up visit (走访记录). A form being filled in is saved as a draft every few seconds, so a
/// crash loses at most those seconds; drafts do not count as visits in any rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Uuid,
    pub household_id: Uuid,
    pub date: NaiveDate,
    pub visitors: String,
    pub kind: VisitKind,
    pub notes: String,
    pub checklist: VisitChecklist,
    pub income: Option<VisitIncome>,
    pub risk_events: Vec<RiskEvent>,
    pub problems: String,
    pub next_actions: String,
    pub is_draft: bool,
}

/// A photo taken at a visit. The bytes live in the store next to this description (read them with
/// `Store::visit_photo_bytes`), so the database stays one file that sync can carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitPhoto {
    pub id: Uuid,
    pub visit_id: Uuid,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    pub file_name: String,
    pub size_bytes: u64,
}

/// The baseline survey (入户调查) of a household for one year: its progress and the
/// identification it led to, computed by the rules and confirmed (or overridden) by a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyState {
    pub id: Uuid,
    pub household_id: Uuid,
    pub year: i32,
    pub status: SurveyStatus,
    /// What `rules::identification` gave when the survey was completed.
    pub computed_identification: Option<Identification>,
    pub confirmed_identification: Option<Identification>,
    /// Required when the confirmed identification differs from the computed one.
    pub override_reason: String,
    pub confirmed_by: String,
    pub confirmed_on: Option<NaiveDate>,
}

/// An exit (脱贫) proposal and its confirmation. Kept as its own record rather than only as a
/// status change of the household, so that the proposal, the assessed year and who confirmed it
/// when stay on file; confirming it (saving it with `confirmed_on`) also sets the household's
/// status to exited in the same change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExitDecision {
    pub id: Uuid,
    pub household_id: Uuid,
    pub proposed_on: NaiveDate,
    /// The income year the 一超六有 checklist was assessed on.
    pub proposed_year: i32,
    pub confirmed_on: Option<NaiveDate>,
    pub confirmed_by: String,
}

/// One dated step of a monitoring case and the person who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStep {
    pub on: NaiveDate,
    pub by: String,
}

/// A public notice (公示): its first and last day, both included, and who posted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNotice {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub by: String,
}

/// Risk elimination (风险消除) of an admitted case: proposed on an income year's figures, then
/// reviewed, noticed and decided like the admission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskElimination {
    pub proposed: Option<CaseStep>,
    /// The income year the criteria were assessed on.
    pub income_year: Option<i32>,
    pub village_review: Option<CaseStep>,
    pub notice: Option<PublicNotice>,
    pub township_review: Option<CaseStep>,
    pub decision: Option<CaseStep>,
}

/// One monitoring case (防止返贫监测) of a household: from the first lead to the county's
/// decision, then to risk elimination. A household may have several cases over the years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringCase {
    pub id: Uuid,
    pub household_id: Uuid,
    pub kind: MonitoredKind,
    pub source: DiscoverySource,
    /// The risk found, in the words of whoever found it.
    pub risk: String,
    pub discovered: CaseStep,
    /// The home visit (入户核查), with the household's signed authorisation
    /// (《监测对象申请及承诺授权查询书》).
    pub home_visit: Option<CaseStep>,
    pub authorization_signed: bool,
    /// 民主评议.
    pub village_review: Option<CaseStep>,
    pub notice: Option<PublicNotice>,
    pub township_review: Option<CaseStep>,
    pub decision: Option<CaseStep>,
    /// The county's decision: admitted as a monitored household (纳入监测), or not.
    pub admitted: bool,
    pub elimination: RiskElimination,
}

impl MonitoringCase {
    /// A case just opened: found by `discovered`, no later step recorded, to be admitted unless
    /// the county decides otherwise.
    pub fn opened(
        id: Uuid,
        household_id: Uuid,
        kind: MonitoredKind,
        source: DiscoverySource,
        risk: String,
        discovered: CaseStep,
    ) -> MonitoringCase {
        MonitoringCase {
            id,
            household_id,
            kind,
            source,
            risk,
            discovered,
            home_visit: None,
            authorization_signed: false,
            village_review: None,
            notice: None,
            township_review: None,
            decision: None,
            admitted: true,
            elimination: RiskElimination::default(),
        }
    }
}

/// A product of the village register of local products, with the households producing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: Uuid,
    pub village_id: Uuid,
    pub name: String,
    /// Free text: fruit, tea, livestock, handicraft…
    pub kind: String,
    /// Free text: the months it is sold in.
    pub season: String,
    /// Yearly volume, in `unit`.
    pub volume: f64,
    pub unit: String,
    /// Price per `unit`.
    pub price_yuan: f64,
    pub certification: Certification,
    pub producer_household_ids: Vec<Uuid>,
    /// The plan measure the product belongs to, if any.
    pub measure_id: Option<Uuid>,
}

/// A sale by a household; sales add to the household's production income of their year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    pub id: Uuid,
    pub household_id: Uuid,
    pub product_id: Option<Uuid>,
    pub channel: SalesChannel,
    pub date: NaiveDate,
    pub amount_yuan: f64,
    /// In the product's unit.
    pub quantity: f64,
}

/// A training attended (培训记录): by a registered member, or by a person named here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub id: Uuid,
    pub village_id: Uuid,
    pub household_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub person_name: String,
    pub course: String,
    pub date: NaiveDate,
    pub hours: f64,
}

/// Everything the six precision panels read about one village, loaded in one call
/// (`Store::village_workflow`). Photos are described without their bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VillageWorkflow {
    pub helpers: Vec<Helper>,
    pub team: Vec<TeamMember>,
    pub projects: Vec<Project>,
    pub measures: Vec<Measure>,
    pub funds: Vec<FundEntry>,
    pub visits: Vec<Visit>,
    pub photos: Vec<VisitPhoto>,
    pub surveys: Vec<SurveyState>,
    pub exits: Vec<ExitDecision>,
    pub products: Vec<Product>,
    pub sales: Vec<Sale>,
    pub trainings: Vec<Training>,
    pub cases: Vec<MonitoringCase>,
}
