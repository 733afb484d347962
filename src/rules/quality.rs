//! Data-quality checks across a village (or a whole county): the "precise targets" (扶持对象精准)
//! of the six precisions depend on records that are internally consistent — one person in one
//! household, one head per household, ID numbers that are valid and agree with the recorded birth
//! date and sex, and school-age children of poor households in school.
//!
//! The checks run on a county import of 250,000 households / 800,000 members, so everything is a
//! single pass plus hash-map grouping and one final sort: O(n log n).

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use uuid::Uuid;

use super::id_number::{self, IdError, age_on};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, HouseholdStatus, Member, Relation, Sex, Thresholds};

/// How many other holders of a duplicated ID number a finding names; the rest are counted.
/// Bounds the work when one number was copied into many records.
const MAX_NAMED_DUPLICATES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    DuplicateIdNumber,
    NoHead,
    SeveralHeads,
    InvalidIdNumber,
    BirthDateContradictsId,
    SexContradictsId,
    SchoolAgeNotInSchool,
    /// A helper named in free text that matches no helper of the register (see
    /// `rules::helper_match`): kept on the household until the team assigns the right one.
    UnmatchedHelperName,
    /// A household not yet identified (待识别): a to-do until the survey confirms its status.
    NotYetIdentified,
}

impl FindingKind {
    pub const ALL: [FindingKind; 9] = [
        FindingKind::DuplicateIdNumber,
        FindingKind::NoHead,
        FindingKind::SeveralHeads,
        FindingKind::InvalidIdNumber,
        FindingKind::BirthDateContradictsId,
        FindingKind::SexContradictsId,
        FindingKind::SchoolAgeNotInSchool,
        FindingKind::UnmatchedHelperName,
        FindingKind::NotYetIdentified,
    ];

    /// The stable code written to JSON output and exports.
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::DuplicateIdNumber => "duplicate_id_number",
            FindingKind::NoHead => "no_head",
            FindingKind::SeveralHeads => "several_heads",
            FindingKind::InvalidIdNumber => "invalid_id_number",
            FindingKind::BirthDateContradictsId => "birth_date_contradicts_id",
            FindingKind::SexContradictsId => "sex_contradicts_id",
            FindingKind::SchoolAgeNotInSchool => "school_age_not_in_school",
            FindingKind::UnmatchedHelperName => "unmatched_helper_name",
            FindingKind::NotYetIdentified => "not_yet_identified",
        }
    }
}

impl Label for FindingKind {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            FindingKind::DuplicateIdNumber => lang.pick("身份证号重复", "Duplicate ID number"),
            FindingKind::NoHead => lang.pick("没有户主", "No head of household"),
            FindingKind::SeveralHeads => lang.pick("户主多于一人", "More than one head"),
            FindingKind::InvalidIdNumber => lang.pick("身份证号无效", "Invalid ID number"),
            FindingKind::BirthDateContradictsId => lang.pick(
                "出生日期与身份证号不符",
                "Birth date differs from ID number",
            ),
            FindingKind::SexContradictsId => {
                lang.pick("性别与身份证号不符", "Sex differs from ID number")
            }
            FindingKind::SchoolAgeNotInSchool => {
                lang.pick("适龄儿童未在校", "School-age child not in school")
            }
            FindingKind::UnmatchedHelperName => {
                lang.pick("帮扶责任人不在名册中", "Helper not in the register")
            }
            FindingKind::NotYetIdentified => lang.pick("尚未识别", "Not yet identified"),
        }
    }
}

/// Another member holding the same ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub household_id: Uuid,
    pub household_number: String,
    pub member_name: String,
}

/// What the message of a finding needs besides the household and member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    /// The other holders (at most a few, sorted by household number and name) and how many more.
    Duplicates {
        others: Vec<Holder>,
        more: usize,
    },
    /// Names of all members marked as head.
    Heads {
        names: Vec<String>,
    },
    InvalidId(IdError),
    BirthDate {
        stored: NaiveDate,
        from_id: NaiveDate,
    },
    Sex {
        stored: Sex,
        from_id: Sex,
    },
    Age {
        age: u32,
    },
    /// The helper name as it was written.
    HelperName {
        name: String,
    },
}

/// One problem found in the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub household_id: Uuid,
    pub household_number: String,
    pub member_id: Option<Uuid>,
    pub member_name: Option<String>,
    pub detail: Detail,
}

impl Localize for Finding {
    fn localize(&self, lang: Lang) -> String {
        let number = &self.household_number;
        let subject = match (&self.member_name, lang) {
            (Some(name), Lang::Zh) => format!("户{number} {name}："),
            (Some(name), Lang::En) => format!("Household {number}, {name}: "),
            (None, Lang::Zh) => format!("户{number}："),
            (None, Lang::En) => format!("Household {number}: "),
        };
        let body = match (&self.detail, lang) {
            (Detail::Duplicates { others, more }, _) => {
                let named: Vec<String> = others
                    .iter()
                    .map(|o| match (o.household_id == self.household_id, lang) {
                        (true, Lang::Zh) => format!("本户的{}", o.member_name),
                        (true, Lang::En) => format!("{} in this household", o.member_name),
                        (false, Lang::Zh) => format!("户{}的{}", o.household_number, o.member_name),
                        (false, Lang::En) => {
                            format!("{} in household {}", o.member_name, o.household_number)
                        }
                    })
                    .collect();
                match lang {
                    Lang::Zh => {
                        let extra = if *more > 0 {
                            format!("等（另有{more}处）")
                        } else {
                            String::new()
                        };
                        format!(
                            "身份证号与{}{extra}相同。同一个人只能登记一次，请核实后删除或更正错误的记录。",
                            named.join("、")
                        )
                    }
                    Lang::En => {
                        let extra = if *more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        };
                        format!(
                            "the ID number is also recorded for {}{extra}. A person can be registered only once; check and delete or correct the wrong record.",
                            named.join(", ")
                        )
                    }
                }
            }
            (Detail::Heads { names }, Lang::Zh) => format!(
                "有{}人登记为户主（{}），一户只能有一名户主，请更正与户主关系。",
                names.len(),
                names.join("、")
            ),
            (Detail::Heads { names }, Lang::En) => format!(
                "{} members are marked as head ({}); a household has exactly one head. Correct the relations to the head.",
                names.len(),
                names.join(", ")
            ),
            (Detail::InvalidId(err), Lang::Zh) => format!("身份证号有误：{}", err.localize(lang)),
            (Detail::InvalidId(err), Lang::En) => {
                format!("the ID number is invalid: {}", err.localize(lang))
            }
            (Detail::BirthDate { stored, from_id }, Lang::Zh) => {
                format!("登记的出生日期{stored}与身份证号中的{from_id}不一致，请核对哪一个正确。")
            }
            (Detail::BirthDate { stored, from_id }, Lang::En) => format!(
                "the recorded birth date {stored} differs from {from_id} in the ID number; check which is right."
            ),
            (Detail::Sex { stored, from_id }, Lang::Zh) => format!(
                "登记的性别为{}，身份证号显示为{}（第17位奇数为男、偶数为女），请核对。",
                stored.label(lang),
                from_id.label(lang)
            ),
            (Detail::Sex { stored, from_id }, Lang::En) => format!(
                "the recorded sex is {} but the ID number says {} (17th digit odd = male, even = female); check which is right.",
                stored.label(lang),
                from_id.label(lang)
            ),
            (Detail::Age { age }, Lang::Zh) => {
                format!("{age}岁，处于义务教育年龄但未在校，请核实就学情况（控辍保学）。")
            }
            (Detail::Age { age }, Lang::En) => format!(
                "is {age}, of compulsory-school age, but not in school; check their schooling (dropout prevention)."
            ),
            (Detail::HelperName { name }, Lang::Zh) => format!(
                "原填写的帮扶责任人“{name}”与帮扶责任人名册中的任何人都对不上。请在本户“基本情况”中从名册选择帮扶责任人，或先在名册中添加此人。"
            ),
            (Detail::HelperName { name }, Lang::En) => format!(
                "the helper written as “{name}” matches nobody in the helpers register. Choose the helper from the register in the household's basics, or add them to the register first."
            ),
            (Detail::None, _) => match self.kind {
                FindingKind::NoHead => lang
                    .pick(
                        "没有户主，请在家庭成员中指定户主。",
                        "no member is the head of household; mark one member as head.",
                    )
                    .to_string(),
                FindingKind::NotYetIdentified => lang
                    .pick(
                        "尚未识别（待识别），请完成入户调查并确认识别。",
                        "not yet identified; finish the survey and confirm the identification.",
                    )
                    .to_string(),
                other => other.label(lang).to_string(),
            },
        };
        format!("{subject}{body}")
    }
}

/// The normalized form under which ID numbers are compared (a lower-case `x` is the same `X`).
/// Borrowed in the usual case, so a county's worth of numbers costs no extra allocation.
fn id_key(id_number: &str) -> Cow<'_, str> {
    let id = id_number.trim();
    if id.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(id.to_ascii_uppercase())
    } else {
        Cow::Borrowed(id)
    }
}

/// Runs every check over `households` (a village, or a county at once so that duplicates across
/// villages are found). Findings come sorted by household number, then member name.
pub fn check_village(
    households: &[HouseholdRecord],
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    // ID number → (household index, member index) of its first holder; numbers seen again move
    // to `duplicated` with all their holders, so only real duplicates get a Vec.
    let member_count = households.iter().map(HouseholdRecord::size).sum();
    let mut first_holder: HashMap<Cow<str>, (usize, usize)> = HashMap::with_capacity(member_count);
    let mut duplicated: HashMap<Cow<str>, Vec<(usize, usize)>> = HashMap::new();
    let school_age = t.school_age_min..=t.school_age_max;

    for (hi, rec) in households.iter().enumerate() {
        let h = &rec.household;
        let finding = |kind, member: Option<&Member>, detail| Finding {
            kind,
            household_id: h.id,
            household_number: h.number.clone(),
            member_id: member.map(|m| m.id),
            member_name: member.map(|m| m.name.clone()),
            detail,
        };

        // A household still on the register that nobody has identified yet is a to-do.
        if h.status.is_unassessed() && rec.departure.is_none() {
            findings.push(finding(FindingKind::NotYetIdentified, None, Detail::None));
        }

        if !h.unmatched_helper_name.trim().is_empty() {
            findings.push(finding(
                FindingKind::UnmatchedHelperName,
                None,
                Detail::HelperName {
                    name: h.unmatched_helper_name.trim().to_string(),
                },
            ));
        }

        let is_head = |m: &&Member| m.relation == Relation::Head;
        match rec.members.iter().filter(is_head).count() {
            0 => findings.push(finding(FindingKind::NoHead, None, Detail::None)),
            1 => {}
            _ => {
                let names = rec
                    .members
                    .iter()
                    .filter(is_head)
                    .map(|m| m.name.clone())
                    .collect();
                findings.push(finding(
                    FindingKind::SeveralHeads,
                    None,
                    Detail::Heads { names },
                ));
            }
        }

        // Only poor and monitored households are expected to show compulsory schooling here:
        // that is the exit item "有义务教育保障" the team answers for.
        let schooling_watched = matches!(
            h.status,
            HouseholdStatus::Registered | HouseholdStatus::Monitored { .. }
        );

        for (mi, m) in rec.members.iter().enumerate() {
            let key = id_key(&m.id_number);
            match id_number::validate(&key, today) {
                Err(err) => findings.push(finding(
                    FindingKind::InvalidIdNumber,
                    Some(m),
                    Detail::InvalidId(err),
                )),
                Ok(info) => {
                    if info.birth_date != m.birth_date {
                        findings.push(finding(
                            FindingKind::BirthDateContradictsId,
                            Some(m),
                            Detail::BirthDate {
                                stored: m.birth_date,
                                from_id: info.birth_date,
                            },
                        ));
                    }
                    if info.sex != m.sex {
                        findings.push(finding(
                            FindingKind::SexContradictsId,
                            Some(m),
                            Detail::Sex {
                                stored: m.sex,
                                from_id: info.sex,
                            },
                        ));
                    }
                }
            }
            if !key.is_empty() {
                match first_holder.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert((hi, mi));
                    }
                    Entry::Occupied(slot) => {
                        let first = *slot.get();
                        duplicated
                            .entry(slot.key().clone())
                            .or_insert_with(|| vec![first])
                            .push((hi, mi));
                    }
                }
            }

            if schooling_watched && !m.in_school && m.birth_date <= today {
                let age = age_on(m.birth_date, today);
                if school_age.contains(&age) {
                    findings.push(finding(
                        FindingKind::SchoolAgeNotInSchool,
                        Some(m),
                        Detail::Age { age },
                    ));
                }
            }
        }
    }

    for mut group in duplicated.into_values() {
        let holder = |&(hi, mi): &(usize, usize)| {
            let rec: &HouseholdRecord = &households[hi];
            (rec, &rec.members[mi])
        };
        group.sort_by(|a, b| {
            let ((ra, ma), (rb, mb)) = (holder(a), holder(b));
            (&ra.household.number, &ma.name, ra.household.id, ma.id).cmp(&(
                &rb.household.number,
                &mb.name,
                rb.household.id,
                mb.id,
            ))
        });
        for (k, at) in group.iter().enumerate() {
            let (rec, m) = holder(at);
            let others: Vec<Holder> = group
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .take(MAX_NAMED_DUPLICATES)
                .map(|(_, other)| {
                    let (orec, om) = holder(other);
                    Holder {
                        household_id: orec.household.id,
                        household_number: orec.household.number.clone(),
                        member_name: om.name.clone(),
                    }
                })
                .collect();
            let more = group.len() - 1 - others.len();
            findings.push(Finding {
                kind: FindingKind::DuplicateIdNumber,
                household_id: rec.household.id,
                household_number: rec.household.number.clone(),
                member_id: Some(m.id),
                member_name: Some(m.name.clone()),
                detail: Detail::Duplicates { others, more },
            });
        }
    }

    fn order_key(f: &Finding) -> (&String, Uuid, &Option<String>, Option<Uuid>, FindingKind) {
        (
            &f.household_number,
            f.household_id,
            &f.member_name,
            f.member_id,
            f.kind,
        )
    }
    findings.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MonitoredKind;
    use crate::rules::fixtures::*;
    use crate::rules::id_number::compose;

    fn today() -> NaiveDate {
        date(2017, 9, 1)
    }

    fn check(households: &[HouseholdRecord]) -> Vec<Finding> {
        check_village(households, today(), &Thresholds::default())
    }

    /// A consistent household: head, spouse and a 10-year-old in school.
    fn family(number: &str, status: HouseholdStatus) -> HouseholdRecord {
        let mut rec = household(number, status);
        add_member(
            &mut rec,
            &format!("户主{number}"),
            date(1975, 3, 1),
            Sex::Male,
            Relation::Head,
        );
        add_member(
            &mut rec,
            &format!("配偶{number}"),
            date(1977, 5, 2),
            Sex::Female,
            Relation::Spouse,
        );
        add_member(
            &mut rec,
            &format!("孩子{number}"),
            date(2007, 4, 3),
            Sex::Male,
            Relation::Child,
        )
        .in_school = true;
        rec
    }

    fn kinds(findings: &[Finding]) -> Vec<FindingKind> {
        findings.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn a_consistent_village_has_no_findings() {
        let village = [
            family("001", HouseholdStatus::Registered),
            family("002", HouseholdStatus::NotRegistered),
        ];
        assert_eq!(check(&village), []);
    }

    #[test]
    fn one_id_in_two_households_is_reported_on_both() {
        let mut a = family("001", HouseholdStatus::Registered);
        let mut b = family("002", HouseholdStatus::NotRegistered);
        let id = compose("510824", date(1950, 1, 1), 31, Sex::Male);
        add_member(
            &mut a,
            "王大爷",
            date(1950, 1, 1),
            Sex::Male,
            Relation::Parent,
        )
        .id_number = id.clone();
        // The copy was typed with a lower-case x or spaces: still the same number.
        add_member(
            &mut b,
            "王老汉",
            date(1950, 1, 1),
            Sex::Male,
            Relation::Parent,
        )
        .id_number = format!(" {} ", id.to_lowercase());
        let findings = check(&[b.clone(), a.clone()]);
        assert_eq!(kinds(&findings), [FindingKind::DuplicateIdNumber; 2]);

        let on_a = &findings[0];
        assert_eq!(on_a.household_number, "001");
        assert_eq!(on_a.member_name.as_deref(), Some("王大爷"));
        assert_eq!(on_a.member_id, Some(a.members[3].id));
        assert_eq!(
            on_a.detail,
            Detail::Duplicates {
                others: vec![Holder {
                    household_id: b.household.id,
                    household_number: "002".into(),
                    member_name: "王老汉".into()
                }],
                more: 0
            }
        );
        assert_eq!(
            on_a.localize(Lang::Zh),
            "户001 王大爷：身份证号与户002的王老汉相同。同一个人只能登记一次，请核实后删除或更正错误的记录。"
        );
        assert!(on_a.localize(Lang::En).starts_with(
            "Household 001, 王大爷: the ID number is also recorded for 王老汉 in household 002."
        ));
        assert_eq!(findings[1].household_number, "002");
        assert!(findings[1].localize(Lang::Zh).contains("户001的王大爷"));
    }

    #[test]
    fn one_number_copied_many_times_names_a_few_and_counts_the_rest() {
        let id = compose("510824", date(1960, 1, 1), 41, Sex::Male);
        let records: Vec<_> = (0..8)
            .map(|k| {
                let mut rec = household(&format!("{k:03}"), HouseholdStatus::NotRegistered);
                add_member(
                    &mut rec,
                    "同号",
                    date(1960, 1, 1),
                    Sex::Male,
                    Relation::Head,
                )
                .id_number = id.clone();
                rec
            })
            .collect();
        let findings = check(&records);
        assert_eq!(findings.len(), 8);
        let Detail::Duplicates { others, more } = &findings[0].detail else {
            panic!()
        };
        assert_eq!(others.len(), 5);
        assert_eq!(*more, 2);
        assert_eq!(others[0].household_number, "001");
        assert!(findings[0].localize(Lang::En).contains("and 2 more"));
    }

    #[test]
    fn same_id_twice_in_one_household() {
        let mut rec = family("001", HouseholdStatus::Registered);
        let copy = rec.members[1].clone();
        rec.members.push(Member {
            id: uuid::Uuid::new_v4(),
            ..copy
        });
        let findings = check(&[rec]);
        assert_eq!(kinds(&findings), [FindingKind::DuplicateIdNumber; 2]);
        assert!(findings[0].localize(Lang::Zh).contains("本户的配偶001"));
    }

    #[test]
    fn household_without_a_head_or_with_two() {
        let mut none = family("001", HouseholdStatus::Registered);
        none.members[0].relation = Relation::Parent;
        let mut two = family("002", HouseholdStatus::Registered);
        two.members[1].relation = Relation::Head;
        let findings = check(&[two, none]);
        assert_eq!(
            kinds(&findings),
            [FindingKind::NoHead, FindingKind::SeveralHeads]
        );
        assert_eq!(findings[0].member_id, None);
        assert_eq!(
            findings[0].localize(Lang::Zh),
            "户001：没有户主，请在家庭成员中指定户主。"
        );
        assert_eq!(
            findings[1].detail,
            Detail::Heads {
                names: vec!["户主002".into(), "配偶002".into()]
            }
        );
        assert!(
            findings[1]
                .localize(Lang::Zh)
                .contains("有2人登记为户主（户主002、配偶002）")
        );
        // A household with no members at all has no head either.
        assert_eq!(
            kinds(&check(&[household("003", HouseholdStatus::Registered)])),
            [FindingKind::NoHead]
        );
    }

    #[test]
    fn invalid_id_number_carries_the_id_error() {
        let mut rec = family("001", HouseholdStatus::Registered);
        let mut wrong = rec.members[0].id_number.clone();
        let last = if wrong.ends_with('0') { '1' } else { '0' };
        wrong.replace_range(17.., &last.to_string());
        rec.members[0].id_number = wrong;
        let findings = check(&[rec]);
        assert_eq!(kinds(&findings), [FindingKind::InvalidIdNumber]);
        assert!(matches!(
            findings[0].detail,
            Detail::InvalidId(IdError::CheckCharacter { .. })
        ));
        assert!(
            findings[0]
                .localize(Lang::Zh)
                .starts_with("户001 户主001：身份证号有误：校验位错误")
        );

        let mut rec = family("002", HouseholdStatus::Registered);
        rec.members[0].id_number = String::new();
        let findings = check(&[rec]);
        assert_eq!(findings[0].detail, Detail::InvalidId(IdError::Empty));
    }

    #[test]
    fn birth_date_and_sex_must_agree_with_the_id() {
        let mut rec = family("001", HouseholdStatus::Registered);
        rec.members[0].birth_date = date(1975, 3, 2);
        rec.members[1].sex = Sex::Male;
        let findings = check(&[rec]);
        assert_eq!(
            kinds(&findings),
            [
                FindingKind::BirthDateContradictsId,
                FindingKind::SexContradictsId
            ]
        );
        assert_eq!(
            findings[0].detail,
            Detail::BirthDate {
                stored: date(1975, 3, 2),
                from_id: date(1975, 3, 1)
            }
        );
        assert_eq!(
            findings[0].localize(Lang::Zh),
            "户001 户主001：登记的出生日期1975-03-02与身份证号中的1975-03-01不一致，请核对哪一个正确。"
        );
        assert_eq!(
            findings[1].detail,
            Detail::Sex {
                stored: Sex::Male,
                from_id: Sex::Female
            }
        );
        assert!(
            findings[1]
                .localize(Lang::En)
                .contains("the recorded sex is Male but the ID number says Female")
        );
    }

    #[test]
    fn school_age_child_out_of_school_in_poor_or_monitored_households() {
        for (status, expected) in [
            (HouseholdStatus::Registered, 1),
            (
                HouseholdStatus::Monitored {
                    kind: MonitoredKind::Marginal,
                },
                1,
            ),
            (HouseholdStatus::Exited { year: 2016 }, 0),
            (HouseholdStatus::NotRegistered, 0),
        ] {
            let mut rec = family("001", status);
            rec.members[2].in_school = false;
            let findings = check(&[rec]);
            assert_eq!(findings.len(), expected, "{status:?}");
            if expected == 1 {
                assert_eq!(findings[0].kind, FindingKind::SchoolAgeNotInSchool);
                assert_eq!(findings[0].detail, Detail::Age { age: 10 });
                assert!(
                    findings[0]
                        .localize(Lang::Zh)
                        .contains("10岁，处于义务教育年龄但未在校")
                );
            }
        }
        // A 16-year-old is past compulsory schooling (6–15 by default).
        let mut rec = family("001", HouseholdStatus::Registered);
        add_member(
            &mut rec,
            "大孩子",
            date(2001, 8, 1),
            Sex::Female,
            Relation::Child,
        );
        assert_eq!(check(&[rec]), []);
    }

    #[test]
    fn order_is_by_household_number_then_member_name() {
        let mut b = family("002", HouseholdStatus::Registered);
        b.members[2].in_school = false;
        b.members[0].relation = Relation::Parent;
        let mut a = family("001", HouseholdStatus::Registered);
        a.members[1].sex = Sex::Male;
        a.members[0].birth_date = date(1975, 3, 2);
        let findings = check(&[b, a]);
        let order: Vec<_> = findings
            .iter()
            .map(|f| {
                (
                    f.household_number.as_str(),
                    f.member_name.as_deref().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("001", "户主001"),
                ("001", "配偶001"),
                ("002", ""),
                ("002", "孩子002")
            ]
        );
    }

    #[test]
    fn an_unassessed_household_is_a_to_do_until_identified() {
        let findings = check(&[
            family("001", HouseholdStatus::Unassessed),
            family("002", HouseholdStatus::NotRegistered),
        ]);
        assert_eq!(kinds(&findings), [FindingKind::NotYetIdentified]);
        assert_eq!(findings[0].household_number, "001");
        assert_eq!(
            findings[0].localize(Lang::Zh),
            "户001：尚未识别（待识别），请完成入户调查并确认识别。"
        );
        assert!(
            findings[0]
                .localize(Lang::En)
                .contains("not yet identified")
        );
        // Once identified, the to-do is gone.
        assert_eq!(check(&[family("001", HouseholdStatus::Registered)]), []);
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(
            FindingKind::DuplicateIdNumber.label(Lang::Zh),
            "身份证号重复"
        );
        for k in FindingKind::ALL {
            assert!(!k.label(Lang::En).is_empty());
        }
    }
}
