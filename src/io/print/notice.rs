//! The public notice (公示名单) of a village's monitoring cases, as PDF and XLSX: for each case
//! between the village review and the township review, the head's name, the household size, the
//! decision and its reason and the notice's dates, then how to object. What a notice may show is
//! `rules::monitoring_cases::NoticeEntry`: never an ID number, a phone, a bank account or a
//! health condition.

use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

use super::PrintError;
use super::layout::{BODY_SIZE, Cell, Layout, Metrics, Table};
use crate::assets::CJK_FONT;
use crate::i18n::Lang;
use crate::model::Village;
use crate::rules::monitoring_cases::NoticeEntry;

fn title(village: &Village, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}防止返贫监测对象公示名单", village.name),
        Lang::En => format!("{}: public notice of monitoring cases", village.name),
    }
}

fn header(lang: Lang) -> [&'static str; 5] {
    [
        lang.pick("户主姓名", "Head of household"),
        lang.pick("家庭人口", "Household size"),
        lang.pick("拟定事项", "Decision"),
        lang.pick("理由", "Reason"),
        lang.pick("公示期", "Notice period"),
    ]
}

fn period(e: &NoticeEntry, lang: Lang) -> String {
    match e.notice {
        Some((start, end)) => match lang {
            Lang::Zh => format!("{start} 至 {end}"),
            Lang::En => format!("{start} to {end}"),
        },
        None => lang.pick("____ 至 ____", "____ to ____").to_string(),
    }
}

fn objection(min_days: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "公示期不少于{min_days}天。对以上名单如有异议，请在公示期内以书面、电话或当面方式向村民委员会、驻村工作队或乡镇人民政府反映（联系人：________ 联系电话：________）。反映情况应实事求是，我们将为反映人保密。"
        ),
        Lang::En => format!(
            "The notice runs at least {min_days} days. Objections to the list are made within the notice period, in writing, by phone or in person, to the village committee, the village work team or the township government (contact: ________ phone: ________). Whoever objects is kept confidential."
        ),
    }
}

fn rows(entries: &[NoticeEntry], lang: Lang) -> Vec<[String; 5]> {
    entries
        .iter()
        .map(|e| {
            [
                e.name.clone(),
                e.household_size.to_string(),
                e.decision(lang),
                e.reason(lang).to_string(),
                period(e, lang),
            ]
        })
        .collect()
}

/// The notice as PDF bytes.
pub fn render_notice(
    village: &Village,
    entries: &[NoticeEntry],
    min_days: u32,
    printed_on: NaiveDate,
    lang: Lang,
) -> Result<Vec<u8>, PrintError> {
    let metrics = Metrics::new(CJK_FONT).expect("the embedded font is a valid OpenType font");
    let mut layout = Layout::new(metrics);
    let title = title(village, lang);
    layout.title(&title);
    layout.paragraph(
        &match lang {
            Lang::Zh => format!(
                "{}{}{}　经村级民主评议，现将以下监测对象予以公示。",
                village.county, village.township, village.name
            ),
            Lang::En => format!(
                "{}, {}, {}: after the village review, the following cases are posted.",
                village.name, village.township, village.county
            ),
        },
        BODY_SIZE,
    );
    layout.space(4.0);
    let body = rows(entries, lang)
        .into_iter()
        .map(|row| row.into_iter().map(Cell::text).collect())
        .collect();
    layout.table(&Table::new(
        &[1.2, 0.8, 2.2, 2.6, 1.8],
        Some(header(lang).iter().map(|h| h.to_string()).collect()),
        body,
    ));
    if entries.is_empty() {
        layout.paragraph(
            lang.pick("（暂无需公示的对象）", "(nothing to post)"),
            BODY_SIZE,
        );
    }
    layout.space(6.0);
    layout.paragraph(&objection(min_days, lang), BODY_SIZE);
    layout.space(10.0);
    layout.paragraph(
        &match lang {
            Lang::Zh => format!("{}村民委员会　　{printed_on}", village.name),
            Lang::En => format!("{} village committee · {printed_on}", village.name),
        },
        BODY_SIZE,
    );
    layout
        .into_pdf(CJK_FONT, &title, |page, count| match lang {
            Lang::Zh => format!("{title}　第 {page} 页 / 共 {count} 页"),
            Lang::En => format!("{title} · page {page} of {count}"),
        })
        .map_err(PrintError::Render)
}

/// The notice as an XLSX workbook, written through a temporary file and a rename.
pub fn write_notice_xlsx(
    path: &Path,
    village: &Village,
    entries: &[NoticeEntry],
    min_days: u32,
    printed_on: NaiveDate,
    lang: Lang,
) -> Result<(), PrintError> {
    let error = |e: rust_xlsxwriter::XlsxError| PrintError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(lang.pick("公示名单", "Notice"))
        .map_err(error)?;
    sheet
        .write_string_with_format(0, 0, title(village, lang), &bold)
        .map_err(error)?;
    for (col, h) in header(lang).iter().enumerate() {
        sheet
            .write_string_with_format(2, col as u16, *h, &bold)
            .and_then(|s| s.set_column_width(col as u16, if col >= 2 { 36.0 } else { 14.0 }))
            .map_err(error)?;
    }
    let rows = rows(entries, lang);
    for (i, row) in rows.iter().enumerate() {
        for (col, text) in row.iter().enumerate() {
            sheet
                .write_string(3 + i as u32, col as u16, text)
                .map_err(error)?;
        }
    }
    let after = 4 + rows.len() as u32;
    sheet
        .write_string(after, 0, objection(min_days, lang))
        .and_then(|s| {
            s.write_string(
                after + 1,
                0,
                match lang {
                    Lang::Zh => format!("{}村民委员会　{printed_on}", village.name),
                    Lang::En => format!("{} village committee · {printed_on}", village.name),
                },
            )
        })
        .map_err(error)?;
    let bytes = workbook.save_to_buffer().map_err(error)?;
    super::write_atomically(path, &bytes)
}
