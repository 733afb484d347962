//! Data in and out of the app as files a county office already uses: the baseline-survey
//! spreadsheet (template, reading, validated import) and the registry export to XLSX and CSV.
//!
//! - [`survey`]: the survey layout, the template writer and the reader of filled files;
//! - [`survey_file`]: the bytes of a CSV or xlsx file to a grid of cells, decoded and bounded;
//! - [`import`]: turning the rows read into an [`import::ImportPlan`] (validated, matched against
//!   the village's households) and applying it to the store as one change;
//! - [`charts`]: the figures of the household and village charts and their drawing (window
//!   textures, PNG, SVG);
//! - [`export`]: registry, members and incomes in the 建档立卡 column order;
//! - [`export_workflow`]: plans, visits, funds and the six-precisions lists beside them;
//! - [`print`]: the household card (扶贫明白卡) and the visit sheet as PDF.

pub mod charts;
pub mod export;
pub mod export_workflow;
pub mod import;
pub mod print;
pub mod survey;
pub mod survey_file;
