//! Plain data of the registry (建档立卡): villages, households, members, yearly incomes and the
//! poverty-line table. No SQL and no UI here; the store persists these types and the rules read them.
//!
//! Enumerations carry a stable `code` (what is stored and exported) and their Chinese and English
//! labels live in `crate::i18n`, so a stored value never changes when a label is reworded.

mod codes;
mod workflow;

pub use codes::*;
pub use workflow::*;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Bookkeeping every stored record carries so that sync bundles can later be built on it:
/// who last changed it, when, and whether it is a tombstone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    pub id: Uuid,
    /// RFC 3339 UTC timestamps.
    pub created_at: String,
    pub updated_at: String,
    /// The device (installation) that made the last change.
    pub updated_by: Uuid,
    pub deleted: bool,
}

/// An administrative village (行政村) as the work team knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Village {
    pub id: Uuid,
    /// 12-digit administrative division code (统计用区划代码).
    pub code: String,
    pub name: String,
    pub township: String,
    pub county: String,
    /// Registered rural population (农村户籍人口) used as the denominator of poverty incidence.
    /// `None` means "use the number of registered members in the app".
    pub rural_population: Option<u32>,
    pub is_demo: bool,
    pub facilities: VillageFacilities,
}

/// The "three haves" of a township for the county exit standard 一低三有, kept in the county
/// database (townships are not villages' records and do not travel in bundles).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipFacilities {
    pub township: String,
    /// A standard central school (标准中心校).
    pub central_school: bool,
    /// A qualified health centre (达标卫生院).
    pub health_centre: bool,
    /// A public service centre (便民服务中心).
    pub service_centre: bool,
}

/// The "five haves" of the village exit standard 一低五有.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct VillageFacilities {
    /// Collective economic income of the year, yuan (村集体经济收入).
    pub collective_income_yuan: f64,
    pub hardened_road: bool,
    pub clinic: bool,
    pub cultural_room: bool,
    pub network: bool,
}

/// A household (户) of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: Uuid,
    pub village_id: Uuid,
    /// Household number inside the village (户编号), unique per village.
    pub number: String,
    pub address: String,
    pub phone: String,
    /// Bank account for subsidies (sensitive; shown masked).
    pub bank_account: String,
    pub attribute: PovertyAttribute,
    pub status: HouseholdStatus,
    pub main_cause: Option<Cause>,
    pub other_causes: Vec<Cause>,
    pub living: LivingConditions,
    /// A helper (帮扶责任人) named in free text — the old 帮扶责任人 field, a spreadsheet cell or an
    /// older app's bundle — that matched no helper of the register, kept so that nothing typed is
    /// lost and listed for the team to fix; empty otherwise. The household's helpers are the
    /// register's assignments (`Helper::household_ids`), never this text.
    pub unmatched_helper_name: String,
}

/// Registration status of a household.
///
/// A household the team has just added is [`HouseholdStatus::Unassessed`] (待识别): nothing is
/// implied before the survey and the identification confirm it. What an unassessed household
/// counts as:
/// - incidence (贫困发生率): neither poor nor non-poor — its members are left out of the
///   numerator and of the app's own population count, and the summary shows them as 未识别;
/// - data quality: listed as a to-do (尚未识别) until identified;
/// - missed households (漏评): considered like a never-registered one when its latest per-capita
///   income is at or below the line, and marginal like one in the warning band;
/// - visits, exit, the six precisions' registered lists: not followed, not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HouseholdStatus {
    /// Added but not yet identified (待识别): the survey has not decided its status.
    Unassessed,
    /// Known to the team but not a registered poor household.
    NotRegistered,
    /// Registered poor household (建档立卡贫困户), not yet exited.
    Registered,
    /// Exited poverty (已脱贫) in the given year.
    Exited { year: i32 },
    /// Under monitoring against return to poverty (防止返贫监测).
    Monitored { kind: MonitoredKind },
}

impl HouseholdStatus {
    /// True while the household has not been identified yet (待识别).
    pub fn is_unassessed(self) -> bool {
        self == HouseholdStatus::Unassessed
    }

    /// True for a household outside the registry: never registered, or not yet identified.
    pub fn outside_registry(self) -> bool {
        matches!(
            self,
            HouseholdStatus::NotRegistered | HouseholdStatus::Unassessed
        )
    }
}

/// Living conditions recorded at registration; most feed the exit checklist 一超六有.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LivingConditions {
    /// The four facts of 一超六有 are `None` until the survey records them (未填): a new household
    /// must not pass an exit item it was never asked about.
    pub housing_safe: Option<bool>,
    pub water_safe: Option<bool>,
    pub electricity: Option<bool>,
    pub radio_tv: Option<bool>,
    /// Hardened road to the house (入户路硬化).
    pub road_hardened: bool,
    pub arable_land_mu: f64,
    pub forest_land_mu: f64,
    pub in_cooperative: bool,
    pub ecommerce_sales: bool,
}

impl LivingConditions {
    /// Conditions a survey recorded as safe on all four 一超六有 facts (fixtures, synthetic data).
    pub fn surveyed_safe() -> LivingConditions {
        LivingConditions {
            housing_safe: Some(true),
            water_safe: Some(true),
            electricity: Some(true),
            radio_tv: Some(true),
            ..LivingConditions::default()
        }
    }
}

impl Default for LivingConditions {
    fn default() -> Self {
        LivingConditions {
            housing_safe: None,
            water_safe: None,
            electricity: None,
            radio_tv: None,
            road_hardened: false,
            arable_land_mu: 0.0,
            forest_land_mu: 0.0,
            in_cooperative: false,
            ecommerce_sales: false,
        }
    }
}

/// A registered member of a household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: Uuid,
    pub household_id: Uuid,
    pub name: String,
    /// Resident ID number (公民身份号码), 18 characters; sensitive.
    pub id_number: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub relation: Relation,
    pub ethnicity: String,
    pub education: Education,
    pub in_school: bool,
    pub health: Health,
    /// Disability grade 1–4 when `health` is `Disabled`.
    pub disability_grade: Option<u8>,
    pub labour: LabourAbility,
    pub work: WorkStatus,
    /// Months of migrant work in the year, when `work` is `Migrant`.
    pub migrant_months: u8,
    pub medical_insurance: bool,
    pub pension_insurance: bool,
    pub dibao: bool,
    /// When the member joined the household; `None` for a member on the register from before
    /// membership was kept by date (counted in every year).
    pub joined_on: Option<NaiveDate>,
    pub join_reason: JoinReason,
    /// When the member left, with `leave_reason`; `None` while the member is in the household.
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
}

impl Member {
    /// A new member with the registry's usual defaults (汉族, healthy, normal labour, farming,
    /// medically insured, nothing else), for a form or a generator to fill in further.
    pub fn new(
        household_id: Uuid,
        name: impl Into<String>,
        id_number: impl Into<String>,
        sex: Sex,
        birth_date: NaiveDate,
        relation: Relation,
    ) -> Member {
        Member {
            id: Uuid::new_v4(),
            household_id,
            name: name.into(),
            id_number: id_number.into(),
            sex,
            birth_date,
            relation,
            ethnicity: "汉族".to_string(),
            education: Education::JuniorHigh,
            in_school: false,
            health: Health::Healthy,
            disability_grade: None,
            labour: LabourAbility::Normal,
            work: WorkStatus::Farming,
            migrant_months: 0,
            medical_insurance: true,
            pension_insurance: false,
            dibao: false,
            joined_on: None,
            join_reason: JoinReason::Registered,
            left_on: None,
            leave_reason: None,
        }
    }

    /// Whether the member has left the household (died, married out, moved…).
    pub fn has_left(&self) -> bool {
        self.left_on.is_some()
    }
}

/// A household leaving the registry (销户): when and why. The household and its records stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdDeparture {
    pub id: Uuid,
    pub household_id: Uuid,
    pub date: NaiveDate,
    pub reason: HouseholdLeaveReason,
    pub note: String,
}

/// Income items of one household for one year (yuan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomeYear {
    pub id: Uuid,
    pub household_id: Uuid,
    pub year: i32,
    /// 工资性收入
    pub wage_yuan: f64,
    /// 生产经营性收入
    pub production_yuan: f64,
    /// 财产性收入
    pub property_yuan: f64,
    /// 转移性收入 (pensions, 低保, subsidies, ecological compensation)
    pub transfer_yuan: f64,
    /// 生产经营性支出
    pub production_expense_yuan: f64,
}

/// One row of the income-standard table: for the incomes of `year` in `province`, the national
/// rural poverty line (years up to [`LAST_POVERTY_LINE_YEAR`]) or the monitoring threshold of
/// the prevention of return to poverty (防止返贫监测标准, years after it), with where the figure
/// comes from. `province` is the two-digit province code of the village codes ("51" Sichuan,
/// "53" Yunnan); empty for a national figure, which a province's own row of the year overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PovertyLine {
    pub year: i32,
    pub line_yuan: f64,
    #[serde(default)]
    pub province: String,
    /// The document the figure was taken from, as a person reads it (and whether it is verified).
    #[serde(default)]
    pub source: String,
}

impl PovertyLine {
    /// A national figure without a stated source.
    pub fn national(year: i32, line_yuan: f64) -> PovertyLine {
        PovertyLine {
            year,
            line_yuan,
            province: String::new(),
            source: String::new(),
        }
    }

    /// Whether the figure is a poverty line (to 2020) or a monitoring threshold (from 2021).
    pub fn kind(&self) -> StandardKind {
        StandardKind::of_year(self.year)
    }
}

/// The last income year judged against a poverty line: from 2021 the transition period judges
/// against each province's monitoring threshold instead.
pub const LAST_POVERTY_LINE_YEAR: i32 = 2020;

/// What the figure of a year is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StandardKind {
    /// 扶贫标准: the national rural poverty line (to 2020).
    PovertyLine,
    /// 防止返贫监测标准: the monitoring threshold (2021 on), set per province and year.
    MonitoringThreshold,
}

impl StandardKind {
    pub fn of_year(year: i32) -> StandardKind {
        if year <= LAST_POVERTY_LINE_YEAR {
            StandardKind::PovertyLine
        } else {
            StandardKind::MonitoringThreshold
        }
    }
}

/// The county-editable thresholds the rules take as parameters. Defaults follow `domain.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Marginal / warning band: income below `marginal_factor × line` is at risk (2020 rule: 1.5).
    pub marginal_factor: f64,
    /// Village and county exit: poverty incidence must be below this fraction (3%).
    pub max_incidence: f64,
    /// Compulsory-education ages (inclusive), for the "education guaranteed" item.
    pub school_age_min: u32,
    pub school_age_max: u32,
    /// Visits older than this many days make a household "due" (used by later screens).
    pub visit_interval_days: u32,
    /// County exit: wrongly exited households and possibly missed households, each as a share,
    /// must stay below these fractions (2%).
    pub max_wrong_exit_rate: f64,
    pub max_missed_rate: f64,
    /// Monitoring cases: at most this many days from the first lead to the county's decision
    /// (and from a risk-elimination proposal to its decision). One county: 15 calendar days.
    pub case_deadline_days: u32,
    /// Whether those days are working days (Monday to Friday; another province counts 20).
    pub case_deadline_working_days: bool,
    /// A public notice (公示) runs at least this many days, first and last day included.
    pub notice_min_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            marginal_factor: 1.5,
            max_incidence: 0.03,
            school_age_min: 6,
            school_age_max: 15,
            visit_interval_days: 30,
            max_wrong_exit_rate: 0.02,
            max_missed_rate: 0.02,
            case_deadline_days: 15,
            case_deadline_working_days: false,
            notice_min_days: 5,
        }
    }
}

/// Where the default national poverty lines come from (`domain.md`): figures seen in public
/// documents, which disagree by a year here and there.
pub const SOURCE_NATIONAL_LINE: &str = "国家农村扶贫标准（2010年不变价2300元）的当年价，见公开文件；各文件年份略有出入，请核对 / national rural line at current prices, from public documents (sources differ by a year: check)";

/// Where the default national monitoring thresholds 2021–2024 come from: often quoted, not
/// verified against a document.
pub const SOURCE_NATIONAL_THRESHOLD: &str = "常见引用的全国参考值，未经核实，请按本省文件修改 / national reference figure often quoted, NOT verified: replace with your province's";

/// Default income-standard table: the national poverty lines to 2020, the national reference
/// monitoring thresholds 2021–2024 (not verified) and Yunnan's 2025 threshold. Editable
/// defaults, not truths.
pub fn default_poverty_lines() -> Vec<PovertyLine> {
    // domain.md: 2736 for 2013 incomes (the 2014 identification), 2800 (2015), 2855 (2016),
    // 3026 (2017), 3218 (2019), about 4000 (2020). Years without a figure use the latest earlier
    // line (see `rules::income::PovertyLines::line_for`) until a county fills them in.
    let lines = [
        (2013, 2736.0),
        (2015, 2800.0),
        (2016, 2855.0),
        (2017, 3026.0),
        (2019, 3218.0),
        (2020, 4000.0),
    ]
    .into_iter()
    .map(|(year, line_yuan)| PovertyLine {
        source: SOURCE_NATIONAL_LINE.into(),
        ..PovertyLine::national(year, line_yuan)
    });
    let thresholds = [
        (2021, 6000.0),
        (2022, 6500.0),
        (2023, 6900.0),
        (2024, 7300.0),
    ]
    .into_iter()
    .map(|(year, line_yuan)| PovertyLine {
        source: SOURCE_NATIONAL_THRESHOLD.into(),
        ..PovertyLine::national(year, line_yuan)
    });
    let yunnan = PovertyLine {
        year: 2025,
        line_yuan: 8700.0,
        province: "53".into(),
        source: "云南省2025年防止返贫监测标准，云农办通〔2025〕1号 / Yunnan 2025 monitoring threshold, 云农办通〔2025〕1号".into(),
    };
    lines.chain(thresholds).chain([yunnan]).collect()
}

/// A household together with what hangs off it: the unit the rules and screens work on.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRecord {
    pub household: Household,
    /// The members in the household now.
    pub members: Vec<Member>,
    pub incomes: Vec<IncomeYear>,
    /// Members who left (with date and reason): kept for the history and the figures of the
    /// years they were there.
    pub former_members: Vec<Member>,
    /// Set when the whole household left the registry.
    pub departure: Option<HouseholdDeparture>,
}

impl HouseholdRecord {
    pub fn head(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.relation == Relation::Head)
    }

    /// Household size now: the registered members living as one household (incl. migrant
    /// workers). The size of a past year is `rules::membership::size_in`.
    pub fn size(&self) -> usize {
        self.members.len()
    }

    /// Every member the household ever had: those there now, then those who left.
    pub fn all_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().chain(&self.former_members)
    }

    /// The income record of the latest year, if any.
    pub fn latest_income(&self) -> Option<&IncomeYear> {
        self.incomes.iter().max_by_key(|i| i.year)
    }

    pub fn income_of(&self, year: i32) -> Option<&IncomeYear> {
        self.incomes.iter().find(|i| i.year == year)
    }
}
