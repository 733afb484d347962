//! Name pools of the demo: townships and villages of Cangxi County, Sichuan surnames, given names
//! by sex and birth cohort, helper units. Every pool is a `&'static str` of CJK characters from
//! GB2312 (3 bytes each in UTF-8), so picking a character is a slice, not an allocation, and the
//! app's font subset covers every generated name.

use rand::Rng;

use crate::model::Sex;

/// Townships (乡镇) of Cangxi County; cycled over the villages. 镇 get township codes 1xx, 乡 2xx.
pub(super) const TOWNSHIPS: &[&str] = &[
    "元坝镇",
    "歧坪镇",
    "白驿镇",
    "东青镇",
    "龙王镇",
    "五龙镇",
    "永宁镇",
    "石门乡",
    "月山乡",
    "陵江镇",
    "云峰镇",
    "文昌镇",
    "唤马镇",
    "鸳溪镇",
    "运山镇",
    "东溪镇",
    "龙山镇",
    "三川镇",
    "亭子镇",
    "漓江镇",
    "高坡镇",
    "岳东镇",
    "彭店乡",
    "桥溪乡",
    "河地乡",
    "黄猫垭乡",
];

/// Village name stems; `村` (and a numeral once the list is exhausted) is appended.
pub(super) const VILLAGE_STEMS: &[&str] = &[
    "青龙", "白鹤", "柳池", "三会", "新华", "红岩", "石坝", "桃园", "金竹", "龙泉", "双河", "凤凰",
    "黄桷", "白果", "松林", "梨园", "石龙", "玉泉", "和平", "向阳", "大坪", "高峰", "长岭", "花园",
    "银杏", "莲花", "马鞍", "狮子", "天池", "清水", "杨柳", "青山", "回龙", "观音", "团结", "光明",
    "永兴", "太平", "鹿鸣", "仙峰",
];

/// Surnames common in Cangxi and northern Sichuan, most common first (weights below).
const SURNAMES: &str =
    "王李张刘陈杨赵黄周吴何罗蒲苟向侯任敬母谢冯唐杜雷文袁马胡郭邓彭曾蒋谭龚严贾鲜岳冉姚宋付梁";
/// Relative weights of the first surnames; the rest share weight 2 each.
const SURNAME_HEAD_WEIGHTS: &[u32] = &[9, 9, 8, 7, 6, 6, 5, 5, 4, 4, 5, 5, 6, 6, 4, 4, 5, 4, 3];
const SURNAME_TAIL_WEIGHT: u32 = 2;

// Given-name pools: [first character, second character] per sex and cohort.
const MALE_OLD: [&str; 2] = [
    "德明华国建志文成福贵忠祥学清发全正洪友才荣兴云生林宗泽富昌",
    "山明华强林清才贵荣富生祥全发成文武忠义海",
];
const MALE_MID: [&str; 2] = [
    "建伟小军勇志永红国海涛刚平东俊大明",
    "军勇伟平刚强峰波斌辉明华林涛杰鹏兵",
];
const MALE_YOUNG: [&str; 2] = [
    "浩宇子俊博一梓思雨文家嘉明天晨",
    "轩宇杰豪涛鑫磊浩然阳辰航睿瑞泽",
];
const FEMALE_OLD: [&str; 2] = ["秀桂玉淑素兰凤春翠美英琼菊", "英兰芳珍华琼凤芬秀群梅莲容花"];
const FEMALE_MID: [&str; 2] = ["小丽晓春红海玉燕雪金建秀", "燕丽红梅琴芳霞娟敏莉萍静艳玲"];
const FEMALE_YOUNG: [&str; 2] = ["欣雨梓诗子思佳一可紫雅若语婉", "涵怡萱琪婷悦彤妍琳欣瑶雯洁"];

/// Units that pair with villages and send helpers (帮扶单位).
pub(super) const HELPER_UNITS: &[&str] = &[
    "县农业局",
    "县教育局",
    "县卫生计生局",
    "县交通运输局",
    "县财政局",
    "县人社局",
    "县住建局",
    "县水务局",
    "县林业局",
    "县民政局",
    "县扶贫移民局",
    "县发改局",
    "县国土资源局",
    "县公安局",
    "县供销社",
    "县农村信用联社",
    "县商务局",
    "县文广新局",
];

/// Region codes of neighbouring counties, for spouses married into the village.
pub(super) const NEIGHBOUR_REGIONS: &[&str] =
    &["510824", "510821", "510823", "510802", "511321", "511381"];

/// Mobile prefixes seen in rural Sichuan.
pub(super) const PHONE_PREFIXES: &[&str] = &[
    "139", "138", "135", "136", "137", "150", "151", "152", "158", "159", "182", "187", "188",
    "130", "131", "132", "155", "156", "186", "133", "153", "180", "189", "177", "199",
];

/// Chinese numerals 一…九十九 for village-name suffixes.
pub(super) fn chinese_numeral(n: u32, out: &mut String) {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n >= 100 {
        out.push_str(&n.to_string());
        return;
    }
    let (tens, ones) = (n / 10, n % 10);
    if tens > 1 {
        out.push_str(DIGITS[tens as usize]);
    }
    if tens > 0 {
        out.push('十');
    }
    if ones > 0 || n == 0 {
        out.push_str(DIGITS[ones as usize]);
    }
}

/// Number of 3-byte characters in a pool.
fn pool_len(pool: &str) -> usize {
    pool.len() / 3
}

/// The `i`-th character of a pool, as a `&str`.
fn pool_char(pool: &str, i: usize) -> &str {
    &pool[3 * i..3 * i + 3]
}

fn pick_char<'a>(rng: &mut impl Rng, pool: &'a str) -> &'a str {
    pool_char(pool, rng.random_range(0..pool_len(pool)))
}

/// Surname pool of one village: most villages have a few dominant lineages (大姓).
#[derive(Debug, Clone, Copy)]
pub(super) struct SurnamePool {
    big: [usize; 2],
}

impl SurnamePool {
    pub(super) fn new(rng: &mut impl Rng) -> SurnamePool {
        let n = pool_len(SURNAMES);
        let first = rng.random_range(0..n);
        let mut second = rng.random_range(0..n);
        if second == first {
            second = (first + 1) % n;
        }
        SurnamePool {
            big: [first, second],
        }
    }

    /// A surname index: 35% one of the village's big surnames, else weighted over all.
    pub(super) fn pick(&self, rng: &mut impl Rng) -> usize {
        if rng.random_bool(0.35) {
            return self.big[usize::from(rng.random_bool(0.4))];
        }
        let n = pool_len(SURNAMES);
        let head: u32 = SURNAME_HEAD_WEIGHTS.iter().sum();
        let total = head + SURNAME_TAIL_WEIGHT * (n - SURNAME_HEAD_WEIGHTS.len()) as u32;
        let mut x = rng.random_range(0..total);
        for (i, w) in SURNAME_HEAD_WEIGHTS.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        SURNAME_HEAD_WEIGHTS.len() + (x / SURNAME_TAIL_WEIGHT) as usize
    }

    /// A surname index different from `other`.
    pub(super) fn pick_other(&self, rng: &mut impl Rng, other: usize) -> usize {
        let s = self.pick(rng);
        if s == other {
            (s + 1 + rng.random_range(0..5)) % pool_len(SURNAMES)
        } else {
            s
        }
    }
}

pub(super) fn surname(index: usize) -> &'static str {
    pool_char(SURNAMES, index)
}

/// A full name: surname plus a one- or two-character given name fitting sex and birth cohort.
pub(super) fn full_name(
    rng: &mut impl Rng,
    surname_index: usize,
    sex: Sex,
    birth_year: i32,
) -> String {
    let pools = match (sex, birth_year) {
        (Sex::Male, ..=1964) => &MALE_OLD,
        (Sex::Male, 1965..=1989) => &MALE_MID,
        (Sex::Male, _) => &MALE_YOUNG,
        (Sex::Female, ..=1964) => &FEMALE_OLD,
        (Sex::Female, 1965..=1989) => &FEMALE_MID,
        (Sex::Female, _) => &FEMALE_YOUNG,
    };
    let mut name = String::with_capacity(9);
    name.push_str(surname(surname_index));
    if rng.random_bool(0.25) {
        name.push_str(pick_char(rng, pools[1]));
    } else {
        let first = pick_char(rng, pools[0]);
        let mut second = pick_char(rng, pools[1]);
        if second == first {
            second = pick_char(rng, pools[1]);
        }
        name.push_str(first);
        name.push_str(second);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_three_byte_characters() {
        let pools = [SURNAMES]
            .into_iter()
            .chain(MALE_OLD)
            .chain(MALE_MID)
            .chain(MALE_YOUNG)
            .chain(FEMALE_OLD)
            .chain(FEMALE_MID)
            .chain(FEMALE_YOUNG);
        for pool in pools {
            assert!(pool.chars().all(|c| c.len_utf8() == 3), "{pool}");
        }
        assert!(SURNAME_HEAD_WEIGHTS.len() < pool_len(SURNAMES));
    }

    #[test]
    fn numerals() {
        let mut s = String::new();
        for n in [2, 10, 11, 20, 35] {
            chinese_numeral(n, &mut s);
            s.push(' ');
        }
        assert_eq!(s, "二 十 十一 二十 三十五 ");
    }
}
