//! Pure policy of precision poverty alleviation: plain functions on `model` types, no UI and no SQL.
//! Every county-adjustable figure arrives as a parameter (`Thresholds`, `PovertyLines`).

pub mod county;
pub mod exit;
pub mod figures;
pub mod first_run;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod helper_match;
pub mod id_number;
pub mod identification;
pub mod income;
pub mod membership;
pub mod monitoring;
pub mod monitoring_cases;
pub mod plan;
pub mod precisions;
pub mod quality;
pub mod registry;
pub mod sales;
pub mod settings;
pub mod summary;
pub mod village;
pub mod visits;
pub mod workflow_records;
