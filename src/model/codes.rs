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
    }
}
