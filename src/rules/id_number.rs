//! Resident ID numbers (公民身份号码, GB 11643-1999): validation, what the number tells
//! (region, birth date, sex) and masking for display.

use chrono::{Datelike, NaiveDate};

use crate::i18n::{Lang, Localize};
use crate::model::Sex;

/// Weights of the first 17 digits in the check-character sum.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by `sum mod 11`.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// What a valid ID number says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdInfo {
    /// 6-digit administrative region code of first registration.
    pub region: String,
    pub birth_date: NaiveDate,
    /// Odd sequence = male, even = female.
    pub sex: Sex,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("empty ID number")]
    Empty,
    #[error("old 15-digit ID number")]
    OldFifteenDigit,
    #[error("ID number has {0} characters, expected 18")]
    WrongLength(usize),
    #[error("invalid character at position {position}")]
    BadCharacter { position: usize },
    #[error("impossible birth date {0}")]
    ImpossibleDate(String),
    #[error("birth date {0} is in the future")]
    FutureDate(NaiveDate),
    #[error("check character is {found}, expected {expected}")]
    CheckCharacter { expected: char, found: char },
}

impl Localize for IdError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            IdError::Empty => lang
                .pick("请填写身份证号", "Enter the ID number")
                .to_string(),
            IdError::OldFifteenDigit => lang
                .pick(
                    "这是旧的15位身份证号，请填写18位号码",
                    "This is an old 15-digit ID number; enter the 18-digit number",
                )
                .to_string(),
            IdError::WrongLength(n) => match lang {
                Lang::Zh => format!("身份证号应为18位，现在是{n}位"),
                Lang::En => format!("An ID number has 18 characters; this one has {n}"),
            },
            IdError::BadCharacter { position } => match lang {
                Lang::Zh => format!("第{position}位字符无效（只能是数字，最后一位可为X）"),
                Lang::En => {
                    format!("Character {position} is invalid (digits only; the last may be X)")
                }
            },
            IdError::ImpossibleDate(text) => match lang {
                Lang::Zh => format!("出生日期{text}不存在，请核对第7–14位"),
                Lang::En => format!("Birth date {text} does not exist; check digits 7–14"),
            },
            IdError::FutureDate(date) => match lang {
                Lang::Zh => format!("出生日期{date}晚于今天，请核对"),
                Lang::En => format!("Birth date {date} is after today; check the number"),
            },
            IdError::CheckCharacter { expected, found } => match lang {
                Lang::Zh => {
                    format!("校验位错误：最后一位应为{expected}，现在是{found}，请核对号码")
                }
                Lang::En => format!(
                    "Check character is wrong: the last character should be {expected}, not {found}; check the number"
                ),
            },
        }
    }
}

/// The check character for the first 17 digits of an ID number, or `None` if they are not
/// 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize] as char)
}

/// Validates an 18-character ID number as of `today`. A lower-case `x` is accepted as `X`.
pub fn validate(id_number: &str, today: NaiveDate) -> Result<IdInfo, IdError> {
    let id = id_number.trim();
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    let chars: Vec<char> = id.chars().collect();
    if chars.len() == 15 && chars.iter().all(char::is_ascii_digit) {
        return Err(IdError::OldFifteenDigit);
    }
    if chars.len() != 18 {
        return Err(IdError::WrongLength(chars.len()));
    }
    for (i, c) in chars.iter().enumerate() {
        let ok = c.is_ascii_digit() || (i == 17 && (*c == 'X' || *c == 'x'));
        if !ok {
            return Err(IdError::BadCharacter { position: i + 1 });
        }
    }
    let date_text = &id[6..14];
    let birth_date = NaiveDate::parse_from_str(date_text, "%Y%m%d")
        .ok()
        .filter(|d| d.year() >= 1880)
        .ok_or_else(|| IdError::ImpossibleDate(date_text.to_string()))?;
    if birth_date > today {
        return Err(IdError::FutureDate(birth_date));
    }
    let expected = check_character(&id[..17]).expect("17 digits were checked above");
    let found = chars[17].to_ascii_uppercase();
    if found != expected {
        return Err(IdError::CheckCharacter { expected, found });
    }
    let sequence: u32 = id[14..17].parse().expect("digits were checked above");
    let sex = if sequence % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdInfo {
        region: id[..6].to_string(),
        birth_date,
        sex,
    })
}

/// Builds a valid ID number from its parts (used by the demo generator and tests).
/// `sequence` is taken modulo 1000; its parity must match `sex`, and is adjusted if it does not.
pub fn compose(region: &str, birth_date: NaiveDate, sequence: u32, sex: Sex) -> String {
    let mut sequence = sequence % 1000;
    let odd = sequence % 2 == 1;
    if odd != (sex == Sex::Male) {
        sequence = if sequence == 999 { 998 } else { sequence + 1 };
        if (sequence % 2 == 1) != (sex == Sex::Male) {
            sequence -= 2;
        }
    }
    let first17 = format!("{region:0>6.6}{}{sequence:03}", birth_date.format("%Y%m%d"));
    let check = check_character(&first17).expect("composed from digits");
    format!("{first17}{check}")
}

/// Masks an ID number for display: region code and last four characters stay visible
/// (`510824********1234`). Anything that is not 18 characters is masked except its last four.
pub fn mask(id_number: &str) -> String {
    let chars: Vec<char> = id_number.trim().chars().collect();
    let n = chars.len();
    if n == 18 {
        let head: String = chars[..6].iter().collect();
        let tail: String = chars[14..].iter().collect();
        format!("{head}********{tail}")
    } else if n > 4 {
        let tail: String = chars[n - 4..].iter().collect();
        format!("{}{tail}", "*".repeat(n - 4))
    } else {
        "*".repeat(n)
    }
}

/// Whole years of age on `on` for someone born on `birth`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn known_check_characters() {
        // The GB 11643 worked example: 11010519491231002 → X.
        assert_eq!(check_character("11010519491231002"), Some('X'));
        // 44052418800101001 → 4 (a widely published sample, born 1880).
        assert_eq!(check_character("44052418800101001"), Some('4'));
        assert_eq!(check_character("1101051949123100"), None);
        assert_eq!(check_character("1101051949123100A"), None);
    }

    #[test]
    fn validates_and_reads_an_id() {
        let info = validate("11010519491231002X", today()).unwrap();
        assert_eq!(info.region, "110105");
        assert_eq!(
            info.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(info.sex, Sex::Female); // sequence 002 is even
        assert!(validate("11010519491231002x", today()).is_ok());
    }

    #[test]
    fn rejects_wrong_numbers_with_the_reason() {
        assert_eq!(
            validate("110105194912310021", today()),
            Err(IdError::CheckCharacter {
                expected: 'X',
                found: '1'
            })
        );
        assert_eq!(validate("", today()), Err(IdError::Empty));
        assert_eq!(
            validate("110105491231002", today()),
            Err(IdError::OldFifteenDigit)
        );
        assert_eq!(
            validate("1101051949", today()),
            Err(IdError::WrongLength(10))
        );
        assert_eq!(
            validate("1101051949123100AX", today()),
            Err(IdError::BadCharacter { position: 17 })
        );
        let feb30 = compose(
            "510824",
            NaiveDate::from_ymd_opt(1990, 2, 28).unwrap(),
            11,
            Sex::Male,
        )
        .replace("19900228", "19900230");
        assert_eq!(
            validate(&feb30, today()),
            Err(IdError::ImpossibleDate("19900230".into()))
        );
        let future = compose(
            "510824",
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            11,
            Sex::Male,
        );
        assert!(matches!(
            validate(&future, today()),
            Err(IdError::FutureDate(_))
        ));
    }

    #[test]
    fn composed_numbers_are_valid_and_carry_sex() {
        let birth = NaiveDate::from_ymd_opt(1985, 6, 15).unwrap();
        for seq in [0, 1, 2, 998, 999] {
            for sex in [Sex::Male, Sex::Female] {
                let id = compose("510824", birth, seq, sex);
                let info = validate(&id, today()).unwrap();
                assert_eq!(info.sex, sex, "{id}");
                assert_eq!(info.birth_date, birth);
                assert_eq!(info.region, "510824");
            }
        }
    }

    #[test]
    fn masks_and_ages() {
        assert_eq!(mask("51082419850615123X"), "510824********123X");
        assert_eq!(mask("12345"), "*2345");
        let birth = NaiveDate::from_ymd_opt(2010, 11, 30).unwrap();
        assert_eq!(age_on(birth, today()), 15);
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
            16
        );
    }

    #[test]
    fn errors_read_in_both_languages() {
        let err = IdError::CheckCharacter {
            expected: 'X',
            found: '1',
        };
        assert!(err.localize(Lang::Zh).contains("校验位"));
        assert!(err.localize(Lang::En).contains("Check character"));
    }
}
