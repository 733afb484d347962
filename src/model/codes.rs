//! Coded values of the registry. Each variant has a stable storage code plus its Chinese and English
//! label; the labels are reached through [`crate::i18n::Label`].

use serde::{Deserialize, Serialize};

/// Defines a coded enumeration: `Variant => "code", "中文", "English"`.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $zh:literal, $en:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and written to exports.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a stored code, a Chinese label or an English label (case-insensitive).
            pub fn parse(text: &str) -> Option<$name> {
                let text = text.trim();
                $(
                    if text == $code || text == $zh || text.eq_ignore_ascii_case($en) {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            pub(crate) fn labels(self) -> (&'static str, &'static str) {
                match self { $($name::$variant => ($zh, $en)),+ }
            }
        }

        impl crate::i18n::Label for $name {
            fn label(&self, lang: crate::i18n::Lang) -> &'static str {
                let (zh, en) = self.labels();
                lang.pick(zh, en)
            }
        }
    };
}

coded_enum!(
    /// Poverty causes (致贫原因) used at registration.
    Cause {
        Illness => "illness", "因病", "Illness",
        Disability => "disability", "因残", "Disability",
        Education => "education", "因学", "Education costs",
        Disaster => "disaster", "因灾", "Disaster",
        LackLand => "lack_land", "缺土地", "Lack of land",
        LackWater => "lack_water", "缺水", "Lack of water",
        LackSkills => "lack_skills", "缺技术", "Lack of skills",
        LackLabour => "lack_labour", "缺劳力", "Lack of labour",
        LackCapital => "lack_capital", "缺资金", "Lack of capital",
        PoorTransport => "poor_transport", "交通条件落后", "Poor transport",
        LackDrive => "lack_drive", "自身发展动力不足", "Lack of own drive",
        Other => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Poverty attribute (贫困户属性).
    PovertyAttribute {
        General => "general", "一般贫困户", "General poor household",
        Dibao => "dibao", "低保贫困户", "Minimum-living-allowance household",
        Tekun => "tekun", "特困供养户", "Destitute-support household",
        // A household not yet surveyed (a new one, or an imported row with the cell blank): never
        // assumed 一般贫困户.
        Unrecorded => "unrecorded", "未填", "Not recorded",
    }
);

coded_enum!(
    /// The three kinds of monitored household (防止返贫监测对象).
    MonitoredKind {
        UnstableExited => "unstable_exited", "脱贫不稳定户", "Exited but unstable",
        Marginal => "marginal", "边缘易致贫户", "Marginal, prone to poverty",
        SuddenHardship => "sudden_hardship", "突发严重困难户", "Sudden severe hardship",
    }
);

coded_enum!(
    /// How a monitoring case was first found (发现途径).
    DiscoverySource {
        SelfReport => "self_report", "农户自主申报", "Household self-report",
        CadreSweep => "cadre_sweep", "干部排查", "Cadre sweep",
        DepartmentAlert => "department_alert", "部门预警", "Department alert",
        Hotline => "hotline", "热线/来信来访", "Hotline or letter",
        // A case made from a household's monitored status of before the case record existed.
        Unrecorded => "unrecorded", "未记录", "Not recorded",
    }
);

coded_enum!(
    Sex {
        Male => "male", "男", "Male",
        Female => "female", "女", "Female",
    }
);

coded_enum!(
    /// Relation to the head of household (与户主关系).
    Relation {
        Head => "head", "户主", "Head",
        Spouse => "spouse", "配偶", "Spouse",
        Child => "child", "子女", "Child",
        ChildInLaw => "child_in_law", "儿媳/女婿", "Child-in-law",
        Grandchild => "grandchild", "孙子女", "Grandchild",
        Parent => "parent", "父母", "Parent",
        Grandparent => "grandparent", "祖父母", "Grandparent",
        Sibling => "sibling", "兄弟姐妹", "Sibling",
        OtherRelation => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Education level (文化程度).
    Education {
        Preschool => "preschool", "学龄前", "Pre-school",
        Illiterate => "illiterate", "文盲或半文盲", "Illiterate",
        Primary => "primary", "小学", "Primary school",
        JuniorHigh => "junior_high", "初中", "Junior high",
        SeniorHigh => "senior_high", "高中", "Senior high",
        Vocational => "vocational", "中专/职高", "Vocational school",
        College => "college", "大专及以上", "College or above",
    }
);

coded_enum!(
    /// Health (健康状况).
    Health {
        Healthy => "healthy", "健康", "Healthy",
        Chronic => "chronic", "长期慢性病", "Chronic illness",
        Serious => "serious", "患有大病", "Serious illness",
        Disabled => "disabled", "残疾", "Disabled",
    }
);

coded_enum!(
    /// Labour ability (劳动能力).
    LabourAbility {
        Normal => "normal", "普通劳动力", "Normal labour",
        Skilled => "skilled", "技能劳动力", "Skilled labour",
        Weak => "weak", "弱劳动力", "Weak labour",
        NoLabour => "none", "无劳动力", "No labour ability",
    }
);

coded_enum!(
    /// Work status (务工状况).
    WorkStatus {
        Farming => "farming", "务农", "Farming",
        Migrant => "migrant", "外出务工", "Migrant work",
        LocalJob => "local_job", "本地务工", "Local work",
        Student => "student", "在校生", "Student",
        NotWorking => "not_working", "无业", "Not working",
    }
);

coded_enum!(
    /// Role in the village work team (驻村工作队).
    TeamRole {
        FirstSecretary => "first_secretary", "第一书记", "First secretary",
        Member => "member", "队员", "Team member",
    }
);

coded_enum!(
    /// Kind of a village project (项目类型).
    ProjectKind {
        Road => "road", "道路", "Road",
        Water => "water", "饮水/水利", "Water",
        IndustryBase => "industry_base", "产业基地", "Industry base",
        Training => "training", "培训", "Training",
        Housing => "housing", "住房", "Housing",
        Other => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Kind of an assistance measure: the five batches (五个一批) plus the common extra categories.
    MeasureKind {
        Production => "production", "发展生产", "Production and industry",
        Relocation => "relocation", "易地搬迁", "Relocation",
        Ecological => "ecological", "生态补偿", "Ecological compensation",
        Education => "education", "发展教育", "Education",
        SocialSecurity => "social_security", "社会保障兜底", "Social security safety net",
        Employment => "employment", "转移就业", "Employment (labour transfer)",
        Health => "health", "健康扶贫", "Health",
        HousingSafety => "housing_safety", "危房改造", "Housing safety",
        Skills => "skills", "技能培训", "Skills training",
        SmallCredit => "small_credit", "小额信贷", "Small credit",
        Ecommerce => "ecommerce", "电商", "E-commerce",
        Infrastructure => "infrastructure", "基础设施", "Infrastructure",
    }
);

coded_enum!(
    /// Where money comes from (资金来源).
    FundSource {
        Central => "central", "中央财政", "Central government",
        Provincial => "provincial", "省级财政", "Provincial government",
        County => "county", "县级财政", "County government",
        Sector => "sector", "行业部门", "Sector departments",
        Social => "social", "社会帮扶", "Social assistance",
        Credit => "credit", "信贷", "Credit",
        SelfRaised => "self_raised", "自筹", "Self-raised",
        Other => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Progress of an assistance measure.
    MeasureStatus {
        Planned => "planned", "计划中", "Planned",
        InProgress => "in_progress", "实施中", "In progress",
        Done => "done", "已完成", "Done",
        Cancelled => "cancelled", "已取消", "Cancelled",
    }
);

coded_enum!(
    /// Kind of a follow-up visit (走访类型).
    VisitKind {
        Routine => "routine", "日常走访", "Routine",
        PlanCheck => "plan_check", "计划检查", "Plan check",
        Emergency => "emergency", "紧急走访", "Emergency",
    }
);

coded_enum!(
    /// Risk events recorded at a visit (风险事件), the triggers of 防止返贫监测 besides income.
    RiskEvent {
        SeriousIllness => "serious_illness", "大病", "Serious illness",
        Disaster => "disaster", "灾害", "Disaster",
        LostWork => "lost_work", "失业/务工中断", "Lost work",
        Accident => "accident", "意外事故", "Accident",
        Other => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Progress of a baseline survey (入户调查).
    SurveyStatus {
        Draft => "draft", "未完成", "Draft",
        Complete => "complete", "已完成", "Complete",
    }
);

coded_enum!(
    /// The identification a survey leads to (识别结果).
    Identification {
        RegisteredPoor => "registered_poor", "贫困户", "Registered poor",
        Marginal => "marginal", "边缘户", "Marginal",
        NotPoor => "not_poor", "非贫困户", "Not poor",
    }
);

coded_enum!(
    /// Brand or certification of a village product (认证).
    Certification {
        NoCertification => "none", "无", "None",
        Green => "green", "绿色食品", "Green food",
        PollutionFree => "pollution_free", "无公害农产品", "Pollution-free",
        Organic => "organic", "有机产品", "Organic",
        GeographicIndication => "geographic_indication", "地理标志", "Geographic indication",
    }
);

coded_enum!(
    /// Sales channel of a village product (销售渠道).
    SalesChannel {
        OnlineStore => "online_store", "网店", "Online store",
        LiveStream => "live_stream", "直播带货", "Live stream",
        ExperienceStore => "experience_store", "体验店", "Experience store",
        Cooperative => "cooperative", "合作社", "Cooperative",
        Other => "other", "其他", "Other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_parse() {
        for cause in Cause::ALL {
            assert_eq!(Cause::parse(cause.code()), Some(*cause));
            let (zh, en) = cause.labels();
            assert_eq!(Cause::parse(zh), Some(*cause));
            assert_eq!(Cause::parse(&en.to_uppercase()), Some(*cause));
        }
        assert_eq!(Relation::parse("户主"), Some(Relation::Head));
        assert_eq!(Cause::parse("因懒"), None);
        assert_eq!(MeasureKind::parse("健康扶贫"), Some(MeasureKind::Health));
        assert_eq!(
            Certification::parse("none"),
            Some(Certification::NoCertification)
        );
    }

    /// A label used twice in one enumeration would make `parse` return the first variant for both.
    #[test]
    fn workflow_codes_and_labels_are_unique_per_enumeration() {
        fn unique<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            labels: fn(T) -> (&'static str, &'static str),
            parse: fn(&str) -> Option<T>,
        ) {
            for v in all {
                let (zh, en) = labels(*v);
                assert_eq!(parse(code(*v)), Some(*v));
                assert_eq!(parse(zh), Some(*v));
                assert_eq!(parse(en), Some(*v));
            }
        }
        unique(
            TeamRole::ALL,
            TeamRole::code,
            TeamRole::labels,
            TeamRole::parse,
        );
        unique(
            ProjectKind::ALL,
            ProjectKind::code,
            ProjectKind::labels,
            ProjectKind::parse,
        );
        unique(
            MeasureKind::ALL,
            MeasureKind::code,
            MeasureKind::labels,
            MeasureKind::parse,
        );
        unique(
            FundSource::ALL,
            FundSource::code,
            FundSource::labels,
            FundSource::parse,
        );
        unique(
            MeasureStatus::ALL,
            MeasureStatus::code,
            MeasureStatus::labels,
            MeasureStatus::parse,
        );
        unique(
            VisitKind::ALL,
            VisitKind::code,
            VisitKind::labels,
            VisitKind::parse,
        );
        unique(
            RiskEvent::ALL,
            RiskEvent::code,
            RiskEvent::labels,
            RiskEvent::parse,
        );
        unique(
            SurveyStatus::ALL,
            SurveyStatus::code,
            SurveyStatus::labels,
            SurveyStatus::parse,
        );
        unique(
            Identification::ALL,
            Identification::code,
            Identification::labels,
            Identification::parse,
        );
        unique(
            Certification::ALL,
            Certification::code,
            Certification::labels,
            Certification::parse,
        );
        unique(
            SalesChannel::ALL,
            SalesChannel::code,
            SalesChannel::labels,
            SalesChannel::parse,
        );
    }
}

coded_enum!(
    /// How a member came into the household (入户原因). `Registered` is a member already there
    /// when the household was registered (or when the app began keeping membership by year).
    JoinReason {
        Registered => "registered", "建档时在册", "On the register from the start",
        Born => "born", "出生", "Born",
        MarriedIn => "married_in", "婚入", "Married in",
        Returned => "returned", "返乡回户", "Returned",
        OtherJoin => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Why a member left the household (减员原因). Leaving is an event, never a deletion.
    LeaveReason {
        Died => "died", "死亡", "Died",
        MarriedOut => "married_out", "婚出", "Married out",
        MovedOut => "moved", "迁出", "Moved away",
        SplitOff => "split_off", "分户", "Split off into a new household",
        OtherLeave => "other", "其他", "Other",
    }
);

coded_enum!(
    /// Why a whole household left the registry (销户原因). It stays in the history and in the
    /// figures of the years it was there.
    HouseholdLeaveReason {
        AllDied => "all_died", "全户死亡", "Everyone died",
        MovedAway => "moved_away", "整户迁出", "Moved away",
        Merged => "merged", "并户", "Merged into another household",
        OtherHouseholdLeave => "other", "其他", "Other",
    }
);
