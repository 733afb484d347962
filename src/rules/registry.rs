//! Field validation of registry records (建档立卡), shared by the forms, the store and the
//! spreadsheet import so that each rule lives in one place. Every function returns all problems
//! at once, so a form can mark every wrong field in one pass.
//!
//! The bounds here are data-entry sanity limits (lengths, plausible years and amounts), not
//! county policy, which is why they are constants rather than `Thresholds`.

use chrono::{Datelike, NaiveDate};

use super::id_number::{self, IdError};
pub use super::income::IncomeItem;
use crate::i18n::{Label, Lang, Localize};
use crate::model::{Health, Household, HouseholdStatus, IncomeYear, Member, Sex, Village};

/// Longest member name accepted (characters); minority names in Chinese characters can be long.
pub const MAX_NAME_CHARS: usize = 30;
pub const MAX_HOUSEHOLD_NUMBER_CHARS: usize = 20;
/// Earliest income or exit year accepted: records of precision poverty alleviation start in
/// 2013–2014, and older registrations go back a little further.
pub const MIN_INCOME_YEAR: i32 = 2000;
/// Latest exit year accepted. `validate_household` has no `today`, so this only catches typing
/// errors such as 20199.
pub const MAX_EXIT_YEAR: i32 = 2100;
/// Every income amount must be below this (yuan): a larger figure is a typing error.
pub const MAX_AMOUNT_YUAN: f64 = 10_000_000.0;
pub const MIN_PHONE_DIGITS: usize = 7;
pub const MAX_PHONE_DIGITS: usize = 15;
/// Province-level codes of GB/T 2260 (the first two digits of every division code).
const PROVINCE_CODES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// A field of a registry form (or a spreadsheet column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    IdNumber,
    Sex,
    BirthDate,
    Relation,
    DisabilityGrade,
    MigrantMonths,
    HouseholdNumber,
    Phone,
    ExitYear,
    ArableLand,
    ForestLand,
    VillageCode,
    VillageName,
    Township,
    County,
    CollectiveIncome,
    Year,
    Amount(IncomeItem),
    /// 入户日期 and 减员日期 / 减员原因 of a member.
    JoinedOn,
    LeftOn,
    LeaveReason,
}

impl Label for Field {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            Field::Name => lang.pick("姓名", "Name"),
            Field::IdNumber => lang.pick("身份证号", "ID number"),
            Field::Sex => lang.pick("性别", "Sex"),
            Field::BirthDate => lang.pick("出生日期", "Birth date"),
            Field::Relation => lang.pick("与户主关系", "Relation to head"),
            Field::DisabilityGrade => lang.pick("残疾等级", "Disability grade"),
            Field::MigrantMonths => lang.pick("务工月数", "Months of migrant work"),
            Field::HouseholdNumber => lang.pick("户编号", "Household number"),
            Field::Phone => lang.pick("联系电话", "Phone"),
            Field::ExitYear => lang.pick("脱贫年份", "Exit year"),
            Field::ArableLand => lang.pick("耕地面积（亩）", "Arable land (mu)"),
            Field::ForestLand => lang.pick("林地面积（亩）", "Forest land (mu)"),
            Field::VillageCode => lang.pick("行政区划代码", "Village code"),
            Field::VillageName => lang.pick("村名", "Village name"),
            Field::Township => lang.pick("乡镇", "Township"),
            Field::County => lang.pick("县", "County"),
            Field::CollectiveIncome => lang.pick("村集体经济收入", "Collective income"),
            Field::Year => lang.pick("年度", "Year"),
            Field::Amount(item) => item.label(lang),
            Field::JoinedOn => lang.pick("入户日期", "Joined on"),
            Field::LeftOn => lang.pick("减员日期", "Left on"),
            Field::LeaveReason => lang.pick("减员原因", "Reason for leaving"),
        }
    }
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("required")]
    Required,
    #[error("{len} characters, at most {max}")]
    TooLong { len: usize, max: usize },
    #[error("{0}")]
    InvalidId(IdError),
    #[error("the ID number says {from_id}")]
    BirthDateDisagreesWithId { from_id: NaiveDate },
    #[error("the ID number says {from_id:?}")]
    SexDisagreesWithId { from_id: Sex },
    #[error("{0} is in the future")]
    InFuture(NaiveDate),
    #[error("grade {0}, expected 1-4")]
    DisabilityGradeOutOfRange(u8),
    #[error("grade given but the member is not recorded as disabled")]
    GradeWithoutDisability,
    #[error("{0} months, expected 0-12")]
    MonthsOutOfRange(u8),
    #[error("year {year}, expected {min}-{max}")]
    YearOutOfRange { year: i32, min: i32, max: i32 },
    #[error("not a number")]
    NotANumber,
    #[error("{0} is negative")]
    Negative(f64),
    #[error("amount {0} is negative")]
    NegativeAmount(f64),
    #[error("{value} is not below {max}")]
    TooLarge { value: f64, max: f64 },
    #[error("not a phone number")]
    InvalidPhone,
    #[error("mobile number of {len} digits, expected 11")]
    MobileLength { len: usize },
    #[error("{len} characters, expected 12 digits")]
    CodeNotTwelveDigits { len: usize },
    #[error("unknown province code {0}")]
    UnknownProvince(String),
    #[error("{value}, expected {min} to {max}")]
    OutOfRange { value: f64, min: f64, max: f64 },
    #[error("{0:?}")]
    Membership(super::membership::MembershipError),
}

impl Localize for Problem {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Problem::Required => lang.pick("必须填写", "this field is required").to_string(),
            Problem::TooLong { len, max } => match lang {
                Lang::Zh => format!("最多{max}个字，现在有{len}个"),
                Lang::En => format!("at most {max} characters; this has {len}"),
            },
            Problem::InvalidId(err) => err.localize(lang),
            Problem::BirthDateDisagreesWithId { from_id } => match lang {
                Lang::Zh => format!("与身份证号不符：身份证号中的出生日期是{from_id}"),
                Lang::En => format!("does not match the ID number, which gives {from_id}"),
            },
            Problem::SexDisagreesWithId { from_id } => match lang {
                Lang::Zh => format!("与身份证号不符：身份证号显示为{}", from_id.label(lang)),
                Lang::En => format!(
                    "does not match the ID number, which says {}",
                    from_id.label(lang)
                ),
            },
            Problem::InFuture(date) => match lang {
                Lang::Zh => format!("{date}晚于今天，请核对"),
                Lang::En => format!("{date} is after today; check it"),
            },
            Problem::DisabilityGradeOutOfRange(grade) => match lang {
                Lang::Zh => format!("应为1–4级，现在是{grade}"),
                Lang::En => format!("must be 1–4, not {grade}"),
            },
            Problem::GradeWithoutDisability => lang
                .pick(
                    "只有健康状况为“残疾”时才填写残疾等级",
                    "only filled in when the member's health is \"Disabled\"",
                )
                .to_string(),
            Problem::MonthsOutOfRange(months) => match lang {
                Lang::Zh => format!("应为0–12个月，现在是{months}"),
                Lang::En => format!("must be 0–12 months, not {months}"),
            },
            Problem::YearOutOfRange { year, min, max } => match lang {
                Lang::Zh => format!("应在{min}年到{max}年之间，现在是{year}"),
                Lang::En => format!("must be between {min} and {max}, not {year}"),
            },
            Problem::NotANumber => lang
                .pick("不是有效的数字", "not a valid number")
                .to_string(),
            Problem::Negative(value) => match lang {
                Lang::Zh => format!("不能为负数（现在是{value}）"),
                Lang::En => format!("must not be negative (it is {value})"),
            },
            Problem::NegativeAmount(value) => match lang {
                Lang::Zh => format!("不能为负数（{value}），支出请填在“生产经营性支出”"),
                Lang::En => format!(
                    "must not be negative ({value}); enter expenses under production and business expenses"
                ),
            },
            Problem::OutOfRange { value, min, max } => match lang {
                Lang::Zh => format!("{value} 不在合理范围内（应在 {min} 到 {max} 之间）"),
                Lang::En => format!("{value} is out of range (expected {min} to {max})"),
            },
            Problem::TooLarge { value, max } => match lang {
                Lang::Zh => format!("{value}元超出合理范围（应小于{max}元），请检查是否多输了位数"),
                Lang::En => format!(
                    "{value} yuan is implausible (must be below {max}); check for extra digits"
                ),
            },
            Problem::InvalidPhone => lang
                .pick(
                    "手机号为11位数字；固定电话写成“区号-号码”，如 0839-5221234（分机号可写 -123）",
                    "a mobile has 11 digits; write a landline as area code-number, e.g. 0839-5221234 (extension -123)",
                )
                .to_string(),
            Problem::MobileLength { len } => match lang {
                Lang::Zh => format!("手机号应为11位数字，现在是{len}位，请核对是否漏了数字"),
                Lang::En => format!("a mobile number has 11 digits; this has {len}: check for missing digits"),
            },
            Problem::CodeNotTwelveDigits { len } => match lang {
                Lang::Zh => format!("应为12位数字的统计用区划代码，现在是{len}位"),
                Lang::En => format!(
                    "must be the 12-digit statistical division code; this has {len} characters"
                ),
            },
            Problem::Membership(err) => err.localize(lang),
            Problem::UnknownProvince(prefix) => match lang {
                Lang::Zh => format!("前两位{prefix}不是有效的省级代码（如四川为51），请核对"),
                Lang::En => format!(
                    "the first two digits {prefix} are not a province code (Sichuan is 51); check the code"
                ),
            },
        }
    }
}

/// A problem in one field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field:?}: {problem}")]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

impl Localize for FieldError {
    fn localize(&self, lang: Lang) -> String {
        let field = self.field.label(lang);
        let problem = self.problem.localize(lang);
        match lang {
            Lang::Zh => format!("{field}：{problem}"),
            Lang::En => format!("{field}: {problem}"),
        }
    }
}

fn error(field: Field, problem: Problem) -> FieldError {
    FieldError { field, problem }
}

/// Required text of at most `max` characters.
fn check_text(errors: &mut Vec<FieldError>, field: Field, text: &str, max: Option<usize>) {
    let text = text.trim();
    if text.is_empty() {
        errors.push(error(field, Problem::Required));
    } else if let Some(max) = max {
        let len = text.chars().count();
        if len > max {
            errors.push(error(field, Problem::TooLong { len, max }));
        }
    }
}

/// Validates a member as of `today`. A disability grade is optional for a disabled member (the
/// certificate may still be pending) but must be 1–4 when given, and is refused otherwise.
pub fn validate_member(m: &Member, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text(&mut errors, Field::Name, &m.name, Some(MAX_NAME_CHARS));
    match id_number::validate(&m.id_number, today) {
        Err(err) => errors.push(error(Field::IdNumber, Problem::InvalidId(err))),
        Ok(info) => {
            if info.birth_date != m.birth_date {
                errors.push(error(
                    Field::BirthDate,
                    Problem::BirthDateDisagreesWithId {
                        from_id: info.birth_date,
                    },
                ));
            }
            if info.sex != m.sex {
                errors.push(error(
                    Field::Sex,
                    Problem::SexDisagreesWithId { from_id: info.sex },
                ));
            }
        }
    }
    if m.birth_date > today {
        errors.push(error(Field::BirthDate, Problem::InFuture(m.birth_date)));
    }
    match m.disability_grade {
        Some(_) if m.health != Health::Disabled => errors.push(error(
            Field::DisabilityGrade,
            Problem::GradeWithoutDisability,
        )),
        Some(grade) if !(1..=4).contains(&grade) => errors.push(error(
            Field::DisabilityGrade,
            Problem::DisabilityGradeOutOfRange(grade),
        )),
        _ => {}
    }
    if m.migrant_months > 12 {
        errors.push(error(
            Field::MigrantMonths,
            Problem::MonthsOutOfRange(m.migrant_months),
        ));
    }
    for err in super::membership::validate(m, today) {
        use super::membership::MembershipError as E;
        let field = match err {
            E::InTheFuture if m.left_on.is_some_and(|d| d > today) => Field::LeftOn,
            E::InTheFuture | E::JoinedBeforeBirth => Field::JoinedOn,
            E::LeftBeforeJoining => Field::LeftOn,
            E::LeaveNeedsDateAndReason if m.left_on.is_none() => Field::LeftOn,
            E::LeaveNeedsDateAndReason => Field::LeaveReason,
        };
        errors.push(error(field, Problem::Membership(err)));
    }
    errors
}

/// Validates one amount of yuan: a finite number, not negative, below [`MAX_AMOUNT_YUAN`].
pub fn validate_amount(value: f64) -> Result<(), Problem> {
    if !value.is_finite() {
        Err(Problem::NotANumber)
    } else if value < 0.0 {
        Err(Problem::NegativeAmount(value))
    } else if value >= MAX_AMOUNT_YUAN {
        Err(Problem::TooLarge {
            value,
            max: MAX_AMOUNT_YUAN,
        })
    } else {
        Ok(())
    }
}

/// Validates an income record: the year lies between [`MIN_INCOME_YEAR`] and today's year
/// (incomes of a year still under way are entered as they are known), every item is a plausible
/// amount.
pub fn validate_income(i: &IncomeYear, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let (min, max) = (MIN_INCOME_YEAR, today.year());
    if !(min..=max).contains(&i.year) {
        errors.push(error(
            Field::Year,
            Problem::YearOutOfRange {
                year: i.year,
                min,
                max,
            },
        ));
    }
    for item in IncomeItem::ALL {
        if let Err(problem) = validate_amount(item.amount(i)) {
            errors.push(error(Field::Amount(item), problem));
        }
    }
    errors
}

/// A phone number as written in the village: a mobile (11 digits starting with 1, optionally
/// after +86), a landline with its area code (0839-5221234 or 08395221234, an optional
/// extension -123 or 转123), or a local landline number without the area code (7–8 digits, not
/// starting with 0 or 1, so a mobile with missing digits is never taken for one).
pub fn check_phone(phone: &str) -> Result<(), Problem> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let phone = phone.trim();
    let mobile = phone
        .strip_prefix("+86")
        .or_else(|| phone.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(phone);
    if mobile.starts_with('1') && digits(mobile) {
        return if mobile.len() == 11 {
            Ok(())
        } else {
            Err(Problem::MobileLength { len: mobile.len() })
        };
    }
    // A landline: the number, then an optional extension.
    let (number, extension) = match phone.split_once('转').or_else(|| {
        let dashes = phone.matches('-').count();
        let with_area = phone.starts_with('0');
        // 0839-5221234-12 or 5221234-12: the last dash starts the extension.
        ((with_area && dashes == 2) || (!with_area && dashes == 1))
            .then(|| phone.rsplit_once('-'))
            .flatten()
    }) {
        Some((n, e)) => (n, Some(e)),
        None => (phone, None),
    };
    if extension.is_some_and(|e| !digits(e) || e.len() > 6) {
        return Err(Problem::InvalidPhone);
    }
    let local_ok = |n: &str| {
        digits(n) && (7..=8).contains(&n.len()) && !n.starts_with('0') && !n.starts_with('1')
    };
    let ok = if let Some((area, local)) = number.split_once('-') {
        digits(area) && area.starts_with('0') && (3..=4).contains(&area.len()) && local_ok(local)
    } else if let Some(rest) = number.strip_prefix('0') {
        // Area code and number written together: 010 + 8 digits up to 0839 + 8 digits.
        digits(number) && (10..=12).contains(&number.len()) && !rest.starts_with('0')
    } else {
        local_ok(number)
    };
    if ok {
        Ok(())
    } else {
        Err(Problem::InvalidPhone)
    }
}

/// Whether [`check_phone`] accepts `phone`.
pub fn phone_ok(phone: &str) -> bool {
    check_phone(phone).is_ok()
}

/// Validates a household: number required (at most 20 characters), phone empty or well formed,
/// exit year plausible, land areas finite and not negative.
pub fn validate_household(h: &Household) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text(
        &mut errors,
        Field::HouseholdNumber,
        &h.number,
        Some(MAX_HOUSEHOLD_NUMBER_CHARS),
    );
    let phone = h.phone.trim();
    if !phone.is_empty()
        && let Err(problem) = check_phone(phone)
    {
        errors.push(error(Field::Phone, problem));
    }
    if let HouseholdStatus::Exited { year } = h.status {
        let (min, max) = (MIN_INCOME_YEAR, MAX_EXIT_YEAR);
        if !(min..=max).contains(&year) {
            errors.push(error(
                Field::ExitYear,
                Problem::YearOutOfRange { year, min, max },
            ));
        }
    }
    for (field, mu) in [
        (Field::ArableLand, h.living.arable_land_mu),
        (Field::ForestLand, h.living.forest_land_mu),
    ] {
        if !mu.is_finite() {
            errors.push(error(field, Problem::NotANumber));
        } else if mu < 0.0 {
            errors.push(error(field, Problem::Negative(mu)));
        }
    }
    errors
}

/// Whether `code` is the two-digit code of a province (GB/T 2260).
pub fn is_province_code(code: &str) -> bool {
    code.len() == 2
        && code
            .parse::<u8>()
            .is_ok_and(|p| PROVINCE_CODES.contains(&p))
}

/// A 12-digit statistical division code (统计用区划代码) whose first two digits are a province.
pub fn validate_village_code(code: &str) -> Result<(), Problem> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Problem::Required);
    }
    if code.len() != 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::CodeNotTwelveDigits {
            len: code.chars().count(),
        });
    }
    let prefix = &code[..2];
    let province: u8 = prefix.parse().expect("two ASCII digits");
    if !PROVINCE_CODES.contains(&province) {
        return Err(Problem::UnknownProvince(prefix.to_string()));
    }
    Ok(())
}

/// Validates a village: code, name, township and county; a collective income, when recorded,
/// must be a number (it may be negative: a collective enterprise can make a loss).
pub fn validate_village(v: &Village) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(problem) = validate_village_code(&v.code) {
        errors.push(error(Field::VillageCode, problem));
    }
    check_text(&mut errors, Field::VillageName, &v.name, None);
    check_text(&mut errors, Field::Township, &v.township, None);
    check_text(&mut errors, Field::County, &v.county, None);
    if !v.facilities.collective_income_yuan.is_finite() {
        errors.push(error(Field::CollectiveIncome, Problem::NotANumber));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Relation;
    use crate::rules::fixtures::*;

    fn today() -> NaiveDate {
        date(2017, 9, 1)
    }

    fn good_member() -> Member {
        let mut rec = household("001", HouseholdStatus::Registered);
        add_member(
            &mut rec,
            "李建国",
            date(1975, 3, 1),
            Sex::Male,
            Relation::Head,
        )
        .clone()
    }

    fn fields(errors: &[FieldError]) -> Vec<Field> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_member_passes() {
        assert_eq!(validate_member(&good_member(), today()), []);
    }

    #[test]
    fn name_is_required_and_limited_to_30_characters() {
        let mut m = good_member();
        m.name = "  ".into();
        assert_eq!(
            validate_member(&m, today()),
            [error(Field::Name, Problem::Required)]
        );
        m.name = "阿".repeat(30);
        assert_eq!(validate_member(&m, today()), []);
        m.name = "阿".repeat(31);
        assert_eq!(
            validate_member(&m, today()),
            [error(Field::Name, Problem::TooLong { len: 31, max: 30 })]
        );
        assert_eq!(
            validate_member(&m, today())[0].localize(Lang::Zh),
            "姓名：最多30个字，现在有31个"
        );
    }

    #[test]
    fn id_number_must_be_valid() {
        let mut m = good_member();
        m.id_number = "510824750301123".into();
        let errors = validate_member(&m, today());
        assert_eq!(
            errors,
            [error(
                Field::IdNumber,
                Problem::InvalidId(IdError::OldFifteenDigit)
            )]
        );
        assert_eq!(
            errors[0].localize(Lang::Zh),
            "身份证号：这是旧的15位身份证号，请填写18位号码"
        );
    }

    #[test]
    fn birth_date_and_sex_must_agree_with_the_id() {
        let mut m = good_member();
        m.birth_date = date(1975, 3, 2);
        m.sex = Sex::Female;
        let errors = validate_member(&m, today());
        assert_eq!(
            errors,
            [
                error(
                    Field::BirthDate,
                    Problem::BirthDateDisagreesWithId {
                        from_id: date(1975, 3, 1)
                    }
                ),
                error(
                    Field::Sex,
                    Problem::SexDisagreesWithId { from_id: Sex::Male }
                ),
            ]
        );
        assert_eq!(
            errors[1].localize(Lang::Zh),
            "性别：与身份证号不符：身份证号显示为男"
        );
        assert_eq!(
            errors[0].localize(Lang::En),
            "Birth date: does not match the ID number, which gives 1975-03-01"
        );
    }

    #[test]
    fn birth_date_in_the_future_is_refused_even_without_a_valid_id() {
        let mut m = good_member();
        m.id_number = String::new();
        m.birth_date = date(2018, 1, 1);
        assert_eq!(
            fields(&validate_member(&m, today())),
            [Field::IdNumber, Field::BirthDate]
        );
    }

    #[test]
    fn disability_grade_only_for_disabled_members_and_1_to_4() {
        let mut m = good_member();
        m.disability_grade = Some(2);
        assert_eq!(
            validate_member(&m, today()),
            [error(
                Field::DisabilityGrade,
                Problem::GradeWithoutDisability
            )]
        );
        m.health = Health::Disabled;
        for grade in 1..=4 {
            m.disability_grade = Some(grade);
            assert_eq!(validate_member(&m, today()), []);
        }
        for grade in [0, 5] {
            m.disability_grade = Some(grade);
            assert_eq!(
                validate_member(&m, today()),
                [error(
                    Field::DisabilityGrade,
                    Problem::DisabilityGradeOutOfRange(grade)
                )]
            );
        }
        m.disability_grade = None; // certificate pending
        assert_eq!(validate_member(&m, today()), []);
    }

    #[test]
    fn migrant_months_0_to_12() {
        let mut m = good_member();
        m.migrant_months = 12;
        assert_eq!(validate_member(&m, today()), []);
        m.migrant_months = 13;
        assert_eq!(
            validate_member(&m, today()),
            [error(Field::MigrantMonths, Problem::MonthsOutOfRange(13))]
        );
    }

    fn income(year: i32) -> IncomeYear {
        let mut rec = household("001", HouseholdStatus::Registered);
        add_income(&mut rec, year, 8565.0).clone()
    }

    #[test]
    fn income_year_between_2000_and_this_year() {
        assert_eq!(validate_income(&income(2016), today()), []);
        assert_eq!(validate_income(&income(2000), today()), []);
        assert_eq!(validate_income(&income(2017), today()), []);
        for year in [1999, 2018] {
            assert_eq!(
                validate_income(&income(year), today()),
                [error(
                    Field::Year,
                    Problem::YearOutOfRange {
                        year,
                        min: 2000,
                        max: 2017
                    }
                )]
            );
        }
    }

    #[test]
    fn income_amounts_finite_non_negative_and_plausible() {
        let mut i = income(2016);
        i.wage_yuan = f64::NAN;
        i.production_yuan = -1.0;
        i.property_yuan = 10_000_000.0;
        i.transfer_yuan = 9_999_999.99;
        i.production_expense_yuan = f64::INFINITY;
        let errors = validate_income(&i, today());
        assert_eq!(
            errors,
            [
                error(Field::Amount(IncomeItem::Wage), Problem::NotANumber),
                error(
                    Field::Amount(IncomeItem::Production),
                    Problem::NegativeAmount(-1.0)
                ),
                error(
                    Field::Amount(IncomeItem::Property),
                    Problem::TooLarge {
                        value: 10_000_000.0,
                        max: MAX_AMOUNT_YUAN
                    }
                ),
                error(
                    Field::Amount(IncomeItem::ProductionExpense),
                    Problem::NotANumber
                ),
            ]
        );
        assert!(
            errors[1]
                .localize(Lang::Zh)
                .starts_with("生产经营性收入：不能为负数")
        );
        assert_eq!(validate_amount(0.0), Ok(()));
    }

    #[test]
    fn household_number_and_phone() {
        let mut h = household("001", HouseholdStatus::Registered).household;
        assert_eq!(validate_household(&h), []);
        for phone in [
            "13812345678",
            "+8613812345678",
            "0839-5221234",
            "08395221234",
            "0839-5221234-123",
            "0839-5221234转123",
            "010-62345678",
            "5221234",
        ] {
            h.phone = phone.into();
            assert_eq!(validate_household(&h), [], "{phone}");
        }
        // A truncated mobile is refused, saying how many digits it has.
        for (phone, len) in [
            ("1388888", 7),
            ("138123456789", 12),
            ("123456", 6),
            ("1234567890123456", 16),
        ] {
            h.phone = phone.into();
            let errors = validate_household(&h);
            assert_eq!(errors, [error(Field::Phone, Problem::MobileLength { len })]);
            assert!(errors[0].localize(Lang::Zh).contains("11位"), "{phone}");
        }
        for phone in [
            "138 1234 5678",
            "0839-52212",
            "839-5221234",
            "0839-5221234-",
            "++8613812345678",
            "+",
        ] {
            h.phone = phone.into();
            assert_eq!(
                validate_household(&h),
                [error(Field::Phone, Problem::InvalidPhone)],
                "{phone}"
            );
        }
        h.phone.clear();
        h.number = String::new();
        assert_eq!(
            validate_household(&h),
            [error(Field::HouseholdNumber, Problem::Required)]
        );
        h.number = "1".repeat(21);
        assert_eq!(
            validate_household(&h),
            [error(
                Field::HouseholdNumber,
                Problem::TooLong { len: 21, max: 20 }
            )]
        );
    }

    #[test]
    fn exit_year_and_land_areas() {
        let mut h = household("001", HouseholdStatus::Exited { year: 2019 }).household;
        h.living.arable_land_mu = 2.5;
        assert_eq!(validate_household(&h), []);
        h.status = HouseholdStatus::Exited { year: 20199 };
        h.living.arable_land_mu = -1.0;
        h.living.forest_land_mu = f64::NAN;
        assert_eq!(
            validate_household(&h),
            [
                error(
                    Field::ExitYear,
                    Problem::YearOutOfRange {
                        year: 20199,
                        min: 2000,
                        max: 2100
                    }
                ),
                error(Field::ArableLand, Problem::Negative(-1.0)),
                error(Field::ForestLand, Problem::NotANumber),
            ]
        );
        assert_eq!(
            validate_household(&h)[1].localize(Lang::Zh),
            "耕地面积（亩）：不能为负数（现在是-1）"
        );
    }

    #[test]
    fn village_code_twelve_digits_with_a_province_prefix() {
        assert_eq!(validate_village_code("510824105201"), Ok(()));
        assert_eq!(validate_village_code("110105001001"), Ok(()));
        assert_eq!(validate_village_code("820000000000"), Ok(()));
        assert_eq!(validate_village_code(""), Err(Problem::Required));
        assert_eq!(
            validate_village_code("510824"),
            Err(Problem::CodeNotTwelveDigits { len: 6 })
        );
        assert_eq!(
            validate_village_code("51082410520A"),
            Err(Problem::CodeNotTwelveDigits { len: 12 })
        );
        for bad in ["100824105201", "830824105201", "160824105201"] {
            assert_eq!(
                validate_village_code(bad),
                Err(Problem::UnknownProvince(bad[..2].into())),
                "{bad}"
            );
        }
        assert!(
            Problem::UnknownProvince("16".into())
                .localize(Lang::Zh)
                .contains("51")
        );
    }

    #[test]
    fn village_needs_code_name_township_county() {
        assert_eq!(validate_village(&village()), []);
        let v = Village {
            code: "5108".into(),
            name: String::new(),
            township: " ".into(),
            county: String::new(),
            ..village()
        };
        assert_eq!(
            fields(&validate_village(&v)),
            [
                Field::VillageCode,
                Field::VillageName,
                Field::Township,
                Field::County
            ]
        );
    }

    #[test]
    fn field_labels_in_both_languages() {
        assert_eq!(
            Field::Amount(IncomeItem::Wage).label(Lang::Zh),
            "工资性收入"
        );
        assert_eq!(Field::HouseholdNumber.label(Lang::En), "Household number");
        let e = error(Field::Name, Problem::Required);
        assert_eq!(e.localize(Lang::Zh), "姓名：必须填写");
        assert_eq!(e.localize(Lang::En), "Name: this field is required");
    }
}
